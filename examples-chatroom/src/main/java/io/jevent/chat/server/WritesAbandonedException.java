package io.jevent.chat.server;

/**
 * How a {@link ChatServer}'s termination future fails when its shutdown timed out on the database
 * (a stalled disk): the server has stopped, but accepted writes were abandoned. None of them was
 * acknowledged to a client, so nothing acknowledged is lost; the process should exit non-zero
 * ({@link ChatServer#EXIT_WRITES_ABANDONED}) so an operator or supervisor looks at the disk.
 */
public final class WritesAbandonedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int abandonedWrites;

    /** @param abandonedWrites accepted writes that were neither completed nor acknowledged */
    public WritesAbandonedException(int abandonedWrites) {
        super("shutdown timed out on the database; " + abandonedWrites + " unacknowledged writes abandoned");
        this.abandonedWrites = abandonedWrites;
    }

    /** @return accepted writes that were neither completed nor acknowledged */
    public int abandonedWrites() {
        return abandonedWrites;
    }
}
