package io.jevent.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;

/**
 * The JVM's per-process signal handlers, through {@code sun.misc.Signal} (module jdk.unsupported):
 * the JDK has no supported API for signal handling.
 *
 * <p>Reached through method handles, in this one class, rather than named in source: javac reports
 * every mention of {@code sun.misc.Signal} as "internal proprietary API", a warning that no
 * {@code @SuppressWarnings} or {@code -Xlint} option silences on JDK 17 to 25, and the build treats
 * warnings as errors. The behaviour is exactly that of {@code Signal.handle}.
 *
 * <p>Threads: any thread may install a handler; the JVM runs handlers on its signal-dispatch thread.
 */
final class JdkSignals {
    private static final Class<?> HANDLER_TYPE;
    /** {@code new Signal(String)}. */
    private static final MethodHandle NEW_SIGNAL;
    /** {@code static SignalHandler Signal.handle(Signal, SignalHandler)}. */
    private static final MethodHandle HANDLE;

    static {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            HANDLER_TYPE = Class.forName("sun.misc.SignalHandler");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            NEW_SIGNAL = lookup.findConstructor(signal, MethodType.methodType(void.class, String.class));
            HANDLE = lookup.findStatic(signal, "handle", MethodType.methodType(HANDLER_TYPE, signal, HANDLER_TYPE));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A signal handler as the JVM holds it: ours, or the one that was there before (to put back). */
    static final class Handler {
        private final Object jdkHandler;

        private Handler(Object jdkHandler) {
            this.jdkHandler = jdkHandler;
        }
    }

    private JdkSignals() {
    }

    /**
     * Makes {@code onArrival} the handler of signal {@code name} ("USR2", without "SIG"); the JVM
     * runs it on its signal-dispatch thread.
     *
     * @return the handler it replaces, for {@link #restore}
     * @throws IllegalArgumentException if the signal is unknown or reserved by the JVM
     */
    static Handler install(String name, Runnable onArrival) {
        Object jdkHandler = Proxy.newProxyInstance(JdkSignals.class.getClassLoader(), new Class<?>[] {HANDLER_TYPE},
                (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        onArrival.run();
                        yield null;
                    }
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "jevent signal handler for " + name;
                });
        return set(name, jdkHandler);
    }

    /**
     * Puts back a handler {@link #install} replaced.
     *
     * @return the handler it replaces
     */
    static Handler restore(String name, Handler previous) {
        return set(name, previous.jdkHandler);
    }

    private static Handler set(String name, Object jdkHandler) {
        try {
            return new Handler(HANDLE.invoke(NEW_SIGNAL.invoke(name), jdkHandler));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            // Neither the constructor nor handle() declares a checked exception.
            throw new IllegalStateException(e);
        }
    }
}
