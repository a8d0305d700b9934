package io.jevent.msgqueue;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** The published strategies are the ones an application may pick; benchmark baselines live elsewhere. */
class WakeupStrategyApiTest {

    @Test
    void publishedStrategiesAreSelectorAndPipeOnly() {
        assertThat(Arrays.stream(WakeupStrategy.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()))
                .map(Field::getName))
                .containsExactlyInAnyOrder("SELECTOR", "PIPE");
    }

    @Test
    void aCustomStrategyImplementsInstallOnly() {
        assertThat(Arrays.stream(WakeupStrategy.class.getDeclaredMethods())
                .filter(m -> !m.isSynthetic())
                .map(Method::getName))
                .containsExactly("install");
    }
}
