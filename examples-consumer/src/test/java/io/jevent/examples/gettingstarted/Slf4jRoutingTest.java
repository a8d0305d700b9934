package io.jevent.examples.gettingstarted;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.jevent.msgqueue.EventLoopThread;

/**
 * getting-started's "Logging" through SLF4J: with slf4j-jdk-platform-logging and an SLF4J provider
 * (Logback) on the class path and nothing changed in jevent, a record a jevent class logs arrives in
 * Logback under that class's name. Runs in a JVM of its own (surefire execution "slf4j-routing"):
 * the System.LoggerFinder is fixed for a JVM at its first System.getLogger.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class Slf4jRoutingTest {

    @Test
    void aRecordOfAJeventClassArrivesInSlf4jUnderTheClassName() throws Exception {
        Logger jevent = (Logger) LoggerFactory.getLogger("io.jevent");
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        jevent.addAppender(captured);
        jevent.setAdditive(false);                          // kept, not printed
        try (EventLoopThread loop = new EventLoopThread("slf4j")) {
            loop.start();
            loop.execute(() -> {
                throw new IllegalStateException("provoked by the test");
            });
            loop.submit(() -> null).get();                  // runs after it: the record is logged by now

            List<ILoggingEvent> events = captured.list;
            assertEquals(1, events.size());
            ILoggingEvent event = events.get(0);
            assertEquals(EventLoopThread.class.getName(), event.getLoggerName());
            assertEquals(ch.qos.logback.classic.Level.WARN, event.getLevel());
            assertEquals(IllegalStateException.class.getName(), event.getThrowableProxy().getClassName());
            assertEquals("provoked by the test", event.getThrowableProxy().getMessage());
        } finally {
            jevent.detachAppender(captured);
            jevent.setAdditive(true);
        }
    }
}
