package io.jevent.examples.gettingstarted;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * getting-started's "Logging": jevent's levels set in code through java.util.logging, which backs
 * {@code System.Logger} when no other {@code System.LoggerFinder} is present.
 */
public final class JulLevels {
    // tag::jul[]
    static final Logger JEVENT = Logger.getLogger("io.jevent");   // java.util.logging.Logger

    public static void quiet() {
        JEVENT.setLevel(Level.WARNING);
    }
    // end::jul[]

    private JulLevels() {
    }
}
