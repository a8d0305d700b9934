package io.jevent.chat.auth;

import java.time.Duration;
import java.util.Objects;

/**
 * The rate limits on authentication that a chat server enforces; see {@link LoginRateLimiter} and
 * {@link RegisterRateLimiter} for what each one counts. Immutable.
 *
 * @param loginPerAddressAndName LOGIN attempts per (address, name) pair
 * @param loginPerAddress        LOGIN attempts per address, whatever the names
 * @param registerPerAddress     REGISTERs per address
 * @param registerOverall        REGISTERs for the whole server
 * @param resumeTokenTtl         how long the token a LOGIN returns lets RESUME log in
 * @param resumeTokensPerUser    how many tokens of one user are live at once (one per device the user
 *                               logs in from); a LOGIN beyond that invalidates the oldest
 */
public record AuthLimits(RateLimit loginPerAddressAndName, RateLimit loginPerAddress,
                         RateLimit registerPerAddress, RateLimit registerOverall,
                         Duration resumeTokenTtl, int resumeTokensPerUser) {
    /** Default {@link #resumeTokenTtl}: a week. */
    public static final Duration DEFAULT_RESUME_TTL = Duration.ofDays(7);
    /** Default {@link #resumeTokensPerUser}. */
    public static final int DEFAULT_RESUME_TOKENS_PER_USER = 5;

    /**
     * Checks that no limit is null.
     *
     * @throws IllegalArgumentException if the token lifetime is not positive or fewer than 1 token
     *                                  per user is allowed
     */
    public AuthLimits {
        Objects.requireNonNull(resumeTokenTtl, "resumeTokenTtl");
        if (resumeTokenTtl.isNegative() || resumeTokenTtl.isZero() || resumeTokensPerUser < 1) {
            throw new IllegalArgumentException("resume tokens need a positive lifetime and at least 1 per user");
        }
        Objects.requireNonNull(loginPerAddressAndName, "loginPerAddressAndName");
        Objects.requireNonNull(loginPerAddress, "loginPerAddress");
        Objects.requireNonNull(registerPerAddress, "registerPerAddress");
        Objects.requireNonNull(registerOverall, "registerOverall");
    }

    /**
     * The production limits: LOGIN 5 a minute per (address, name) and 20 a minute per address;
     * REGISTER 5 per 10 minutes per address and 60 a minute overall; resume tokens live 7 days,
     * 5 per user.
     *
     * @return the defaults
     */
    public static AuthLimits defaults() {
        return new AuthLimits(
                RateLimit.of(LoginRateLimiter.DEFAULT_PER_ADDRESS_AND_NAME, LoginRateLimiter.DEFAULT_WINDOW),
                RateLimit.of(LoginRateLimiter.DEFAULT_PER_ADDRESS, LoginRateLimiter.DEFAULT_WINDOW),
                RegisterRateLimiter.DEFAULT_PER_ADDRESS, RegisterRateLimiter.DEFAULT_OVERALL,
                DEFAULT_RESUME_TTL, DEFAULT_RESUME_TOKENS_PER_USER);
    }

    /**
     * @param perAddress REGISTERs per address
     * @param overall    REGISTERs for the whole server
     * @return a copy with these REGISTER limits
     */
    public AuthLimits withRegister(RateLimit perAddress, RateLimit overall) {
        return new AuthLimits(loginPerAddressAndName, loginPerAddress, perAddress, overall, resumeTokenTtl,
                resumeTokensPerUser);
    }

    /**
     * @param perAddressAndName LOGIN attempts per (address, name) pair
     * @param perAddress        LOGIN attempts per address
     * @return a copy with these LOGIN limits
     */
    public AuthLimits withLogin(RateLimit perAddressAndName, RateLimit perAddress) {
        return new AuthLimits(perAddressAndName, perAddress, registerPerAddress, registerOverall, resumeTokenTtl,
                resumeTokensPerUser);
    }

    /**
     * @param ttl     how long a resume token is valid
     * @param perUser live tokens per user, at least 1
     * @return a copy with this resume token policy
     * @throws IllegalArgumentException as the constructor
     */
    public AuthLimits withResumeTokens(Duration ttl, int perUser) {
        return new AuthLimits(loginPerAddressAndName, loginPerAddress, registerPerAddress, registerOverall, ttl, perUser);
    }
}
