package io.jevent.chat.server;

import java.util.List;

/**
 * Counters of a running {@link ChatServer}, for monitoring and tests. A snapshot: each field is
 * read once from the loop that owns it, so fields may be from slightly different instants.
 *
 * @param accepted           connections accepted since start
 * @param open               connections currently open
 * @param slowConsumers      connections dropped because they did not read their output
 * @param largestOutputBytes the most bytes any connection had queued for output right after the
 *                           server added to it: bounded by the write high watermark plus one reply
 *                           block and one event, however little a client reads
 * @param openPerLoop        connections currently open on each loop, by loop index
 * @param queuedOutputBytes  output bytes queued and unsent over all connections now (what the
 *                           output budget counts)
 * @param peakQueuedOutputBytes the sum over the loops of the most each had queued at once: bounded
 *                           by the output budget plus one {@code BYE} line per dropped connection
 * @param budgetDrops        connections dropped because the output budget was exhausted
 * @param pausedInputs       connections not read from right now because their unsent replies
 *                           exceed the reply backlog (pipelining backpressure)
 */
public record ServerStats(long accepted, long open, long slowConsumers, long largestOutputBytes,
                          List<Long> openPerLoop, long queuedOutputBytes, long peakQueuedOutputBytes,
                          long budgetDrops, long pausedInputs) {
}
