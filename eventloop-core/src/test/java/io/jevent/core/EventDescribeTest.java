package io.jevent.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.jevent.core.bufferevent.BufferEvent;

/** The what-bits of events and buffer events read as names in messages and logs. */
class EventDescribeTest {

    @Test
    void eventBitsAreNamedInBitOrder() {
        assertThat(Event.describe(Event.READ | Event.PERSIST)).isEqualTo("READ|PERSIST");
        assertThat(Event.describe(Event.PERSIST | Event.TIMEOUT | Event.WRITE)).isEqualTo("TIMEOUT|WRITE|PERSIST");
        assertThat(Event.describe(Event.SIGNAL)).isEqualTo("SIGNAL");
    }

    @Test
    void unknownEventBitsAreShownInHex() {
        assertThat(Event.describe(Event.READ | 0x100 | 0x40)).isEqualTo("READ|0x140");
        assertThat(Event.describe(0x80)).isEqualTo("0x80");
    }

    @Test
    void noBitReadsAsADash() {
        assertThat(Event.describe(0)).isEqualTo("-");
        assertThat(BufferEvent.describe(0)).isEqualTo("-");
    }

    @Test
    void bufferEventStatusBitsAreNamed() {
        assertThat(BufferEvent.describe(BufferEvent.READING | BufferEvent.EOF)).isEqualTo("READING|EOF");
        assertThat(BufferEvent.describe(BufferEvent.WRITING | BufferEvent.ERROR)).isEqualTo("WRITING|ERROR");
        assertThat(BufferEvent.describe(BufferEvent.READING | BufferEvent.TIMEOUT)).isEqualTo("READING|TIMEOUT");
        assertThat(BufferEvent.describe(BufferEvent.CONNECTED)).isEqualTo("CONNECTED");
        assertThat(BufferEvent.describe(BufferEvent.CLOSED)).isEqualTo("CLOSED");
    }

    @Test
    void unknownStatusBitsAreShownInHex() {
        assertThat(BufferEvent.describe(BufferEvent.EOF | 0x04)).isEqualTo("EOF|0x4");
        assertThat(BufferEvent.describe(0x8000_0000)).isEqualTo("0x80000000");
    }
}
