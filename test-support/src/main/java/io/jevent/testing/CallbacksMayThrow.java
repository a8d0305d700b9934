package io.jevent.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Opts a test method or class out of {@link FailOnCallbackException}: for the few tests that make
 * a callback (or an exception handler) throw on purpose and let the library log it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface CallbacksMayThrow {
    /** Why the test lets callbacks throw into the default handler. */
    String value();
}
