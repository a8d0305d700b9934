package io.jevent.examples.gettingstarted;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.jevent.msgqueue.EventLoopThread;

/**
 * getting-started's "Logging" with java.util.logging, the default backend: jevent's records arrive
 * under their class's name, and the document's configuration file and code set the levels it says.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JulRoutingTest {

    @Test
    void aRecordOfAJeventClassArrivesUnderTheClassName() throws Exception {
        IllegalStateException provoked = new IllegalStateException("provoked by the test");
        try (JulCapture log = new JulCapture(); EventLoopThread loop = new EventLoopThread("jul")) {
            loop.start();
            loop.execute(() -> {
                throw provoked;                             // EventLoopThread logs a task that threw
            });
            loop.submit(() -> null).get();                  // runs after it: the record is logged by now

            assertEquals(1, log.records.size());
            LogRecord record = log.records.get(0);
            assertEquals(EventLoopThread.class.getName(), record.getLoggerName());
            assertEquals(java.util.logging.Level.WARNING, record.getLevel());
            assertSame(provoked, record.getThrown());
        }
    }

    @Test
    void theDocumentsPropertiesSetJeventsLevels() throws Exception {
        LogManager manager = LogManager.getLogManager();
        // Read at start-up (-Djava.util.logging.config.file, as documented) the file comes before
        // any logger, and each logger created later finds its level. Read late, as here, JUL sets
        // levels only on loggers that exist: make the configured ones exist first, held strongly.
        java.util.logging.Logger msgqueue = java.util.logging.Logger.getLogger("io.jevent.msgqueue");
        java.util.logging.Logger jevent = java.util.logging.Logger.getLogger("io.jevent");
        try (InputStream config = JulRoutingTest.class.getResourceAsStream("/jul-logging.properties")) {
            assertNotNull(config);
            manager.readConfiguration(config);
            // The document's ConsoleHandler would print; nothing here logs, so only levels are asked.
            assertFalse(System.getLogger("io.jevent.core.EventBase").isLoggable(Level.INFO));
            assertTrue(System.getLogger("io.jevent.core.EventBase").isLoggable(Level.WARNING));
            assertTrue(System.getLogger("io.jevent.msgqueue.EventLoopThread").isLoggable(Level.DEBUG));
            assertFalse(System.getLogger("io.jevent.msgqueue.EventLoopThread").isLoggable(Level.TRACE));
            assertEquals(java.util.logging.Level.FINE, msgqueue.getLevel());
            assertEquals(java.util.logging.Level.WARNING, jevent.getLevel());
        } finally {
            manager.readConfiguration();                    // back to the JDK's defaults
        }
    }

    @Test
    void theDocumentsCodeQuietsJevent() {
        try {
            JulLevels.quiet();
            assertFalse(System.getLogger("io.jevent.core.listener.ConnectionListener").isLoggable(Level.INFO));
            assertTrue(System.getLogger("io.jevent.core.listener.ConnectionListener").isLoggable(Level.WARNING));
        } finally {
            JulLevels.JEVENT.setLevel(null);
        }
    }
}
