package io.jevent.chat.store;

/**
 * A registered user as stored.
 *
 * @param id           stable numeric id (use it for every later request)
 * @param name         the name with the case it was registered with
 * @param passwordHash encoded hash, see {@code io.jevent.chat.auth.PasswordHasher}
 * @param createdMs    registration time, epoch milliseconds
 */
public record User(long id, String name, String passwordHash, long createdMs) {
    /** Never prints the hash: users end up in logs. */
    @Override
    public String toString() {
        return "User[id=" + id + ", name=" + name + "]";
    }
}
