package io.jevent.msgqueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Which JCTools queues a msgqueue is built on: {@code atomic} where {@code sun.misc.Unsafe} warns
 * (JDK 24+), and a system property to choose. The child-JVM tests check what a user sees: no
 * {@code WARNING:} line on stderr (meaningful on JDK 24+, where {@code .ci/run} runs this module too),
 * and, on any JDK, that the atomic queues load no JCTools class that reaches {@code Unsafe}.
 */
@Timeout(120)
class QueueVariantTest {

    private final String propertyBefore = System.getProperty(MsgQueueBuilder.QUEUES_PROPERTY);

    @AfterEach
    void restoreProperty() {
        if (propertyBefore == null) {
            System.clearProperty(MsgQueueBuilder.QUEUES_PROPERTY);
        } else {
            System.setProperty(MsgQueueBuilder.QUEUES_PROPERTY, propertyBefore);
        }
    }

    @Test
    void autoPicksTheAtomicQueuesFromJdk24On() {
        assertThat(QueueVariant.forJdk(17)).isEqualTo(QueueVariant.UNSAFE);
        assertThat(QueueVariant.forJdk(23)).isEqualTo(QueueVariant.UNSAFE);
        assertThat(QueueVariant.forJdk(24)).isEqualTo(QueueVariant.ATOMIC);
        assertThat(QueueVariant.forJdk(25)).isEqualTo(QueueVariant.ATOMIC);
    }

    @Test
    void theSystemPropertyChoosesTheQueuesCaseInsensitively() {
        System.clearProperty(MsgQueueBuilder.QUEUES_PROPERTY);
        assertThat(QueueVariant.configured()).isEqualTo(QueueVariant.forJdk(Runtime.version().feature()));
        System.setProperty(MsgQueueBuilder.QUEUES_PROPERTY, "auto");
        assertThat(QueueVariant.configured()).isEqualTo(QueueVariant.forJdk(Runtime.version().feature()));
        System.setProperty(MsgQueueBuilder.QUEUES_PROPERTY, "unsafe");
        assertThat(QueueVariant.configured()).isEqualTo(QueueVariant.UNSAFE);
        System.setProperty(MsgQueueBuilder.QUEUES_PROPERTY, " Atomic ");
        assertThat(QueueVariant.configured()).isEqualTo(QueueVariant.ATOMIC);
    }

    @Test
    void aBadPropertyValueFailsTheBuildWithItsName() throws Exception {
        EventLoopThread loop = TestSupport.startedLoop("variant-loop");
        try {
            System.setProperty(MsgQueueBuilder.QUEUES_PROPERTY, "fast");
            Throwable thrown = TestSupport.onLoop(loop, () -> {
                try {
                    MsgQueue.<Integer>builder(loop.base(), m -> { }).build();
                    return null;
                } catch (IllegalArgumentException e) {
                    return e;
                }
            });
            assertThat(thrown).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(MsgQueueBuilder.QUEUES_PROPERTY).hasMessageContaining("'fast'");
        } finally {
            TestSupport.shutdown(loop);
        }
    }

    @Test
    void aQueueOnThisJdkPrintsNoWarning(@TempDir Path dir) throws Exception {
        Child run = Child.run(dir, List.of());
        assertThat(run.stdout).contains(Child.DONE);
        assertThat(run.stderr).as("the child JVM's stderr").noneMatch(line -> line.startsWith("WARNING:"));
    }

    @Test
    void theAtomicQueuesLoadNoClassThatReachesUnsafe(@TempDir Path dir) throws Exception {
        Child run = Child.run(dir, List.of("-D" + MsgQueueBuilder.QUEUES_PROPERTY + "=atomic", "-verbose:class"));
        assertThat(run.stdout).contains(Child.DONE)
                .anyMatch(line -> line.contains("org.jctools.queues.atomic.MpscLinkedAtomicQueue"))
                .anyMatch(line -> line.contains("org.jctools.queues.atomic.MpscAtomicArrayQueue"))
                .noneMatch(line -> line.contains("org.jctools.util.Unsafe"));
        assertThat(run.stderr).noneMatch(line -> line.startsWith("WARNING:"));
    }

    @Test
    void theUnsafeQueuesDoReachUnsafeSoTheCheckAboveCanFail(@TempDir Path dir) throws Exception {
        Child run = Child.run(dir, List.of("-D" + MsgQueueBuilder.QUEUES_PROPERTY + "=unsafe", "-verbose:class"));
        assertThat(run.stdout).contains(Child.DONE)
                .anyMatch(line -> line.contains("org.jctools.util.UnsafeAccess"));
    }

    /** A JVM of this JDK, on this class path, that builds a bounded and an unbounded queue and uses them. */
    static final class Child {
        static final String DONE = "both queues delivered";

        final List<String> stdout;
        final List<String> stderr;

        private Child(List<String> stdout, List<String> stderr) {
            this.stdout = stdout;
            this.stderr = stderr;
        }

        static Child run(Path dir, List<String> jvmOptions) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Child.class.getName());
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            // Files, not pipes: a child that writes a lot never blocks on a full pipe we do not read.
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the child JVM did not finish within 60 s");
            }
            List<String> stderr = Files.readAllLines(err);
            assertThat(p.exitValue()).as("child exit status; stderr: %s", stderr).isZero();
            return new Child(Files.readAllLines(out), stderr);
        }

        public static void main(String[] args) throws Exception {
            CountDownLatch delivered = new CountDownLatch(2);
            EventLoopThread loop = new EventLoopThread("child-loop");
            MsgQueue<String> unbounded = MsgQueue.<String>builder(loop.base(), m -> delivered.countDown()).build();
            MsgQueue<String> bounded = MsgQueue.<String>builder(loop.base(), m -> delivered.countDown()).bounded(16).build();
            loop.start();
            unbounded.push("one");
            bounded.push("two");
            if (!delivered.await(30, TimeUnit.SECONDS)) {
                System.exit(3);
            }
            loop.close();
            System.out.println(DONE);
        }
    }
}
