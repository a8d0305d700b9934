package io.jevent.chat.server;

import java.util.function.Consumer;

import io.jevent.chat.auth.RegisterRateLimiter;
import io.jevent.chat.protocol.Command;
import io.jevent.chat.protocol.ProtocolError;
import io.jevent.chat.protocol.Replies;
import io.jevent.chat.store.Result;
import io.jevent.chat.store.StoreException;
import io.jevent.chat.store.StoredMessage;

/**
 * The commands that are one store request: REGISTER (after hashing the password on a worker), MSG,
 * SAY and HISTORY. Each is started on the session's loop and ends with exactly one
 * {@link Session#complete} on that loop: REGISTER runs alone; MSG, SAY and HISTORY may be pipelined,
 * so they complete the reply slot they were started with.
 *
 * <p>Threading: the methods here run on the session's loop; the store's callbacks run on store
 * threads and only post the continuation back ({@link Session#onLoop}). Worker tasks read only their
 * arguments and the thread-safe {@link ServerContext}.
 */
final class StoreCommands {
    private static final System.Logger LOG = System.getLogger(StoreCommands.class.getName());
    private static final String REGISTER_ADDRESS_LIMITED = Replies.err(ProtocolError.TOO_MANY_ATTEMPTS,
            "too many registrations from this address, try again later");
    private static final String REGISTER_SERVER_LIMITED = Replies.err(ProtocolError.TOO_MANY_ATTEMPTS,
            "too many registrations, try again later");

    private final Session session;
    private final ChatLoop loop;
    private final ServerContext ctx;
    private final String address;

    /**
     * @param address the client's IP address, for the per-address REGISTER limit
     */
    StoreCommands(Session session, ChatLoop loop, String address) {
        this.session = session;
        this.loop = loop;
        this.ctx = loop.ctx;
        this.address = address;
    }

    /**
     * REGISTER: the rate limits (on loop 0), then the hash on a worker at background priority (so
     * LOGINs are served first), then the insert.
     */
    void register(Command command) {
        ctx.coordinator.post(() -> {
            RegisterRateLimiter.Decision decision = ctx.coordinator.tryRegister(address);
            loop.post(() -> {
                switch (decision) {
                    case ADDRESS_LIMITED -> session.complete(REGISTER_ADDRESS_LIMITED);
                    case SERVER_LIMITED -> session.complete(REGISTER_SERVER_LIMITED);
                    case ALLOWED -> {
                        if (!session.isClosed()) {
                            hashAndInsert(command);
                        }
                    }
                }
            });
        });
    }

    /** Loop thread, the REGISTER allowed. */
    private void hashAndInsert(Command command) {
        onWorker(() -> {
            String hash = ctx.hasher.hash(command.password());
            ctx.store.registerUser(command.name(), hash, session.onLoop(result -> session.complete(
                    result.isOk() ? Replies.REGISTERED
                            : result.error().kind() == StoreException.Kind.CONFLICT ? ProtocolError.NAME_TAKEN.line()
                            : session.failure("REGISTER", result.error()))));
        });
    }

    void sendPrivate(Command command, Session.Reply slot) {
        ctx.store.appendPrivate(session.userId(), command.name(), command.text(), session.onLoop(result -> {
            if (!result.isOk()) {
                session.complete(slot, result.error().kind() == StoreException.Kind.NOT_FOUND
                        ? ProtocolError.NO_SUCH_USER.line() : session.failure("MSG", result.error()));
                return;
            }
            // Routed even if this connection closed meanwhile: the message is committed.
            StoredMessage message = result.value();
            boolean online = loop.routePrivate(message);
            session.complete(slot, online ? Replies.sent(message.id()) : Replies.stored(message.id()));
        }));
    }

    /**
     * SAY. The fan-out happens in the store's callback, on the writer thread, before the reply is
     * posted: the writer completes commits one at a time in id order, so it is the single sequence
     * point, and since each loop's queue is FIFO per producer every loop (the sender's included)
     * gets group messages in id order. Fanning out from the sender's loop instead let a loop deliver
     * its own sender's message before an older one still on its way from another loop.
     */
    void sendGroup(Command command, Session.Reply slot) {
        Consumer<Result<StoredMessage>> reply = session.onLoop(result -> session.complete(slot, result.isOk()
                ? Replies.sent(result.value().id()) : session.failure("SAY", result.error())));
        ctx.store.appendGroup(session.userId(), command.text(), result -> {
            if (result.isOk()) {
                ChatLoop.fanOutGroup(ctx, result.value());
            }
            reply.accept(result);
        });
    }

    void history(Command command, Session.Reply slot) {
        ctx.store.history(session.userId(), command.count(), command.name(), session.onLoop(result -> {
            if (!result.isOk()) {
                session.complete(slot, result.error().kind() == StoreException.Kind.NOT_FOUND
                        ? ProtocolError.NO_SUCH_USER.line() : session.failure("HISTORY", result.error()));
                return;
            }
            StringBuilder block = new StringBuilder();
            for (StoredMessage m : result.value()) {
                block.append(Replies.hist(m.id(), m.tsMs(), m.senderName(), m.recipientName(), m.body()));
            }
            session.complete(slot, block.append(Replies.okCount(result.value().size())).toString());
        }));
    }

    /**
     * Runs {@code task} on a hashing worker; if its queue is full, or the server shuts down before
     * the task runs, the command gets ERR 503.
     */
    private void onWorker(Runnable task) {
        ctx.workers.execute(HashingPool.Priority.BACKGROUND, () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "worker task of #" + session.id() + " failed", e);
                loop.post(() -> session.complete(Replies.err(ProtocolError.INTERNAL, "internal error")));
            }
        }, why -> loop.post(() -> session.complete(why.line())));
    }
}
