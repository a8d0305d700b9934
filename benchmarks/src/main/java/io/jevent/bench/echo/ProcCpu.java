package io.jevent.bench.echo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of a whole process, every thread included (its event loops, but also JIT and GC), as the
 * kernel accounts it in {@code /proc/<pid>/stat}: user plus system time, in clock ticks. Linux only.
 *
 * <p>Thread-safe (no state).
 */
public final class ProcCpu {
    private ProcCpu() {
    }

    /** {@code utime + stime} of process {@code pid}, in clock ticks. */
    public static long ticks(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
        }
        // Field 2, the command name, is in parentheses and may hold spaces: count from the last ')'.
        // The fields after it start with field 3 (state); utime and stime are fields 14 and 15.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
        return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    }

    /** Clock ticks per second ({@code getconf CLK_TCK}); 100, the Linux value, if that cannot be run. */
    public static long ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
