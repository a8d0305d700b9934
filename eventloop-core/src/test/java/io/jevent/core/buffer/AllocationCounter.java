package io.jevent.core.buffer;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Assumptions;

/**
 * Bytes allocated by the calling thread, from the JDK's {@code com.sun.management.ThreadMXBean}.
 * Reached by reflection because the io.jevent.core module (which the tests are patched into) does
 * not read java.management, and must not just for a test; reflection assumes readability.
 */
final class AllocationCounter {
    private final Object bean;
    private final Method allocatedBytes;

    private AllocationCounter(Object bean, Method allocatedBytes) {
        this.bean = bean;
        this.allocatedBytes = allocatedBytes;
    }

    /** Skips the calling test on a JVM that cannot count; fails if the API cannot be reached. */
    static AllocationCounter forCurrentThread() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getThreadMXBean").invoke(null);
            Class<?> extended = Class.forName("com.sun.management.ThreadMXBean");
            Assumptions.assumeTrue(extended.isInstance(bean)
                    && (Boolean) extended.getMethod("isThreadAllocatedMemorySupported").invoke(bean),
                    "this JVM does not count allocated bytes per thread");
            extended.getMethod("setThreadAllocatedMemoryEnabled", boolean.class).invoke(bean, true);
            AllocationCounter counter = new AllocationCounter(bean, extended.getMethod("getCurrentThreadAllocatedBytes"));
            for (int i = 0; i < 20; i++) {
                counter.allocatedBytes(); // let reflection settle on its accessor before anyone measures
            }
            return counter;
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("cannot reach the thread allocation counter", e);
        }
    }

    long allocatedBytes() {
        try {
            return (Long) allocatedBytes.invoke(bean);
        } catch (ReflectiveOperationException e) {
            throw new LinkageError("cannot read the thread allocation counter", e);
        }
    }
}
