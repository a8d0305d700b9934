package io.jevent.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/** The line every report ends with: what the numbers above were measured on, and how busy it was. */
public final class Machine {
    private Machine() {
    }

    /** @return "machine: N cores, load average L, VM version", the load average read now */
    public static String describe() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "machine: %d cores, load average %s, %s %s",
                Runtime.getRuntime().availableProcessors(),
                load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
    }
}
