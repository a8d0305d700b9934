package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a private message written to a connection counts as received. */
class DeliveriesTest {
    @Test
    void withoutSeenALineCountsOnceItHasLeftTheBuffer() {
        Deliveries d = new Deliveries();
        d.written(7, 100);
        d.written(9, 200);
        d.sent(150);
        assertThat(d.takeReceived()).containsExactly(7);
        d.sent(199);
        assertThat(d.takeReceived()).isEmpty();
        d.sent(200);
        assertThat(d.takeReceived()).containsExactly(9);
        assertThat(d.isEmpty()).isTrue();
    }

    @Test
    void seenAcknowledgesThatLineAndEveryEarlierOneAndThenOnlySeenCounts() {
        Deliveries d = new Deliveries();
        d.written(9, 100);
        d.written(7, 200);   // ids need not come in order: lines do
        d.written(12, 300);
        d.seen(7);
        assertThat(d.takeReceived()).containsExactly(9, 7);
        d.sent(1_000);
        assertThat(d.takeReceived()).as("written to the socket no longer counts").isEmpty();
        d.seen(99);
        assertThat(d.takeReceived()).as("an id never written here acknowledges nothing").isEmpty();
        d.abandonUnconfirmed();
        assertThat(d.isEmpty()).as("12 stays pending in the store").isTrue();
    }

    @Test
    void aClientThatStopsAcknowledgingCostsBoundedMemory() {
        Deliveries d = new Deliveries();
        d.seen(1);
        for (int i = 1; i <= Deliveries.MAX_UNCONFIRMED + 10; i++) {
            d.written(i, i * 10L);
        }
        d.seen(10);
        assertThat(d.takeReceived()).as("the oldest were forgotten: pending until the next login").isEmpty();
        d.seen(11);
        assertThat(d.takeReceived()).containsExactly(11);
    }
}
