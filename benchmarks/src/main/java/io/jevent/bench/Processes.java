package io.jevent.bench;

import java.util.concurrent.TimeUnit;

/** Stopping the server processes the load tools start. */
public final class Processes {
    private Processes() {
    }

    /**
     * Stops {@code process}: SIGTERM, up to {@code timeoutSeconds} for it to exit, then SIGKILL.
     * Idempotent. If interrupted while waiting, kills it and keeps the interrupt.
     *
     * @param process        the process
     * @param timeoutSeconds how long a clean exit may take
     * @return its exit status, or -1 if it had to be killed
     */
    public static int stop(Process process, long timeoutSeconds) {
        process.destroy();
        try {
            if (process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        return -1;
    }
}
