package io.jevent.chat.auth;

import java.util.Objects;

/**
 * The rate limits on authentication that a chat server enforces; see {@link LoginRateLimiter} and
 * {@link RegisterRateLimiter} for what each one counts. Immutable.
 *
 * @param loginPerAddressAndName LOGIN attempts per (address, name) pair
 * @param loginPerAddress        LOGIN attempts per address, whatever the names
 * @param registerPerAddress     REGISTERs per address
 * @param registerOverall        REGISTERs for the whole server
 */
public record AuthLimits(RateLimit loginPerAddressAndName, RateLimit loginPerAddress,
                         RateLimit registerPerAddress, RateLimit registerOverall) {
    /** Checks that no limit is null. */
    public AuthLimits {
        Objects.requireNonNull(loginPerAddressAndName, "loginPerAddressAndName");
        Objects.requireNonNull(loginPerAddress, "loginPerAddress");
        Objects.requireNonNull(registerPerAddress, "registerPerAddress");
        Objects.requireNonNull(registerOverall, "registerOverall");
    }

    /**
     * The production limits: LOGIN 5 a minute per (address, name) and 20 a minute per address;
     * REGISTER 5 per 10 minutes per address and 60 a minute overall.
     *
     * @return the defaults
     */
    public static AuthLimits defaults() {
        return new AuthLimits(
                RateLimit.of(LoginRateLimiter.DEFAULT_PER_ADDRESS_AND_NAME, LoginRateLimiter.DEFAULT_WINDOW),
                RateLimit.of(LoginRateLimiter.DEFAULT_PER_ADDRESS, LoginRateLimiter.DEFAULT_WINDOW),
                RegisterRateLimiter.DEFAULT_PER_ADDRESS, RegisterRateLimiter.DEFAULT_OVERALL);
    }

    /**
     * @param perAddress REGISTERs per address
     * @param overall    REGISTERs for the whole server
     * @return a copy with these REGISTER limits
     */
    public AuthLimits withRegister(RateLimit perAddress, RateLimit overall) {
        return new AuthLimits(loginPerAddressAndName, loginPerAddress, perAddress, overall);
    }

    /**
     * @param perAddressAndName LOGIN attempts per (address, name) pair
     * @param perAddress        LOGIN attempts per address
     * @return a copy with these LOGIN limits
     */
    public AuthLimits withLogin(RateLimit perAddressAndName, RateLimit perAddress) {
        return new AuthLimits(perAddressAndName, perAddress, registerPerAddress, registerOverall);
    }
}
