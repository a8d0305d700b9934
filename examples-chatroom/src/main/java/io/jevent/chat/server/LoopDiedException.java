package io.jevent.chat.server;

/**
 * Why a {@link ChatServer} stopped on its own: one of its event loop threads died (an
 * {@link Error} such as {@link OutOfMemoryError} escaped it, the cause). The server shut down what
 * it could; the process should exit non-zero so that a supervisor restarts it.
 */
public final class LoopDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param loopName the dead loop thread's name
     * @param cause    what killed it
     */
    public LoopDiedException(String loopName, Throwable cause) {
        super("loop thread " + loopName + " died: " + cause, cause);
    }
}
