package io.jevent.chat.store;

import java.sql.SQLException;
import java.util.function.Consumer;

/**
 * One queued write: the operation to run inside the batch transaction, the caller's callback, and
 * (between execution and completion) its outcome. Created by any submitting thread; after
 * {@code queue.offer} publishes it, only the writer thread touches it.
 *
 * @param <T> result type
 */
final class WriteRequest<T> {
    /**
     * What to run on the writer connection. Contract: a {@link StoreException} is thrown only
     * before the operation changed anything (the writer may run it without a savepoint and keep
     * the transaction); an SQL error may come at any point.
     */
    @FunctionalInterface
    interface Operation<T> {
        T run(WriterOps ops) throws SQLException, StoreException;
    }

    private final Operation<T> operation;
    private final Consumer<Result<T>> callback;
    private Result<T> outcome;

    WriteRequest(Operation<T> operation, Consumer<Result<T>> callback) {
        this.operation = operation;
        this.callback = callback;
    }

    /**
     * Runs the operation in its own savepoint. A request-level failure (StoreException, or a SQL
     * error SQLite could roll back to the savepoint) fails this request only. If even the
     * savepoint rollback fails, the transaction is unusable and the exception propagates so the
     * writer fails the whole batch.
     */
    void execute(WriterOps ops) throws SQLException {
        ops.savepoint();
        try {
            outcome = Result.ok(operation.run(ops));
            ops.releaseSavepoint();
        } catch (StoreException e) {
            undo(ops, e);
            outcome = Result.failed(e);
        } catch (SQLException | RuntimeException e) {
            ops.discardStatements();   // the driver may have finalized the one that failed
            undo(ops, e);
            outcome = Result.failed(new StoreException(StoreException.Kind.DATABASE, describe(e), e));
        }
    }

    /**
     * Runs the operation without a savepoint (see {@link Operation}'s contract).
     *
     * @return false if it failed with an SQL or runtime error: the transaction may then hold part
     *         of its work, so the writer must roll back and run the batch with savepoints
     */
    boolean executeWithoutSavepoint(WriterOps ops) {
        try {
            outcome = Result.ok(operation.run(ops));
            return true;
        } catch (StoreException e) {
            outcome = Result.failed(e);
            return true;
        } catch (SQLException | RuntimeException e) {
            outcome = null;
            return false;
        }
    }

    /** Replaces any outcome: used when the batch as a whole did not commit. */
    void fail(StoreException error) {
        outcome = Result.failed(error);
    }

    /** Delivers the outcome; a throwing callback must not kill the writer. */
    void complete() {
        complete(callback, outcome);
    }

    static <T> void complete(Consumer<Result<T>> callback, Result<T> result) {
        try {
            callback.accept(result);
        } catch (RuntimeException | Error e) {
            System.getLogger(ChatStore.class.getName())
                    .log(System.Logger.Level.ERROR, "store callback threw", e);
        }
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        if (message == null) {
            return "database error";
        }
        int newline = message.indexOf('\n');   // SQLite messages can span lines; replies cannot
        return "database error: " + (newline < 0 ? message : message.substring(0, newline));
    }

    /**
     * Rolls back to this request's savepoint. If that fails, the transaction is gone (SQLite rolls
     * back on its own after SQLITE_FULL or an I/O error, and then "no such savepoint" is all the
     * undo can say): the batch fails with the request's own SQL error, which names the real cause,
     * and the undo failure rides along as suppressed.
     */
    private static void undo(WriterOps ops, Exception failure) throws SQLException {
        try {
            ops.rollbackToSavepoint();
            ops.releaseSavepoint();
        } catch (SQLException undoFailed) {
            if (failure instanceof SQLException cause) {
                cause.addSuppressed(undoFailed);
                throw cause;
            }
            undoFailed.addSuppressed(failure);
            throw undoFailed;
        }
    }
}
