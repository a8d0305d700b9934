package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** What a JPMS user of io.jevent.core can see: the loop-observer seam is the message queue's only. */
class ModuleApiTest {

    private static ModuleDescriptor descriptor() throws Exception {
        Path classes = Path.of(EventBase.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void loopObserverSeamIsExportedOnlyToMsgqueue() throws Exception {
        ModuleDescriptor.Exports spi = descriptor().exports().stream()
                .filter(e -> e.source().equals("io.jevent.core.spi"))
                .findFirst().orElseThrow();
        assertThat(spi.isQualified()).isTrue();
        assertThat(spi.targets()).containsExactly("io.jevent.msgqueue");
    }

    @Test
    void unqualifiedExportsHaveNoLoopObserver() throws Exception {
        Set<String> open = descriptor().exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toSet());
        assertThat(open).containsExactlyInAnyOrder("io.jevent.core", "io.jevent.core.buffer",
                "io.jevent.core.bufferevent", "io.jevent.core.listener");
        assertThat(Arrays.stream(EventBase.class.getMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()))
                .flatMap(m -> Arrays.stream(m.getParameterTypes()))
                .map(Class::getPackageName))
                .doesNotContain("io.jevent.core.spi");
    }

}
