package io.jevent.chat.store;

/**
 * Counters of the writer, read with {@link ChatStore#stats()}. A snapshot: fields are read one by
 * one and may be mutually a little out of date.
 *
 * @param writeRequests  write requests executed (successfully or not)
 * @param batches        transactions the writer committed or rolled back; one per group commit
 * @param failedBatches  transactions that failed as a whole (every request in them failed)
 * @param largestBatch   most requests ever run in one transaction
 * @param rejected       requests refused at submission because a queue was full
 */
public record StoreStats(long writeRequests, long batches, long failedBatches, long largestBatch, long rejected) {
}
