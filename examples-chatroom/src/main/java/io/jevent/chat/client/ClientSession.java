package io.jevent.chat.client;

import java.net.InetSocketAddress;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import io.jevent.chat.client.Input.Prompt;
import io.jevent.chat.client.Input.Typed;
import io.jevent.chat.client.console.ClientConsole;
import io.jevent.chat.protocol.CommandParser;
import io.jevent.chat.protocol.Protocol;
import io.jevent.core.Event;
import io.jevent.core.EventBase;

/**
 * The client's state machine: menus, slash commands, requests and their replies, events from the
 * server, and what happens when the connection goes away and comes back.
 *
 * <h2>Threads</h2>
 * Every field and method belongs to the client's loop thread; nothing here is shared. Input arrives
 * as {@link Typed} lines through the loop's message queue ({@link #typed}); server lines through the
 * {@link ServerLink}'s callbacks; output leaves through {@link ClientConsole#printAbove}, which is
 * safe while the keyboard thread is reading. Prompts go to the keyboard thread through
 * {@link KeyboardPrompts}, one at a time.
 *
 * <h2>Replies</h2>
 * A request whose answer decides what comes next (log in, who, history) puts the session in
 * {@code WAIT}: no prompt is shown until the answer arrives. Chat lines do not wait: the next prompt
 * comes at once and the answer, if it says anything (offline recipient, error), is printed above it.
 *
 * <h2>Passwords and the resume token</h2>
 * Read without echo, sent once, and dropped: the client keeps no password in memory after the request
 * is sent. It keeps, in memory only, the resume token the server's LOGIN reply carries
 * ({@code TOKEN <token>}): after a lost connection it logs back in with {@code RESUME} at once,
 * without asking anything. Only if that fails (the token expired, or the server has no token) does
 * it offer to log in again under the remembered name and ask for the password. A session taken over
 * by a login elsewhere ({@code BYE logged in elsewhere}) is not taken back: the client says so and
 * returns to the logged-out menu.
 *
 * <h2>TLS: whom to trust</h2>
 * A refused server certificate goes to {@link TrustOnFirstUse}, which says what it means and, for a
 * server not pinned yet, asks in {@code TRUST_ASK} whether to trust it.
 */
final class ClientSession implements ServerLink.Listener {
    private final ClientOptions options;
    private final ClientConsole console;
    private final EventBase base;
    private final KeyboardPrompts keyboard;
    private final ServerLink link;
    private final PendingReplies pending = new PendingReplies();
    private final TrustOnFirstUse trust;
    private final ChatEvents events;
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();

    private ClientMode mode = ClientMode.WAIT;   // until the first connection attempt has an outcome
    private boolean everConnected;
    /** Whether the current connection has brought the server's HELLO (reset at each connect). */
    private boolean greetedHere;
    /** The "closed without greeting: is this a TLS port?" message was given; later ones are short. */
    private boolean tlsHintGiven;
    private boolean announceConnect;
    private String byeReason;
    private Event quitTimer;

    private String me;               // the logged-in name, as the server spells it
    private String pendingName;      // being registered or logged in
    private String pendingPassword;  // between the two register (or new-password) prompts only
    private String pendingOldPassword;  // between the prompts of a password change only
    private String partner;          // private chat partner
    private String reloginName;      // offered after a reconnect
    private String resumeToken;      // from the last LOGIN's TOKEN line; memory only, like a password
    private ClientMode resumeMode;         // the chat mode to return to after a RESUME
    private boolean takenOver;       // the server said BYE logged in elsewhere
    private ClientMode beforeTrust;  // the mode to go back to once the server is trusted

    ClientSession(ClientOptions options, ClientConsole console, EventBase base, BlockingQueue<Prompt> prompts) {
        this.options = options;
        this.console = console;
        this.base = base;
        this.keyboard = new KeyboardPrompts(prompts, console);
        this.trust = new TrustOnFirstUse(options, this::say);
        this.events = new ChatEvents(this::say, options.zone());
        this.link = new ServerLink(base, InetSocketAddress.createUnresolved(options.host(), options.port()),
                options.tls(), new Backoff(options.firstRetry(), options.maxRetry()), this);
    }

    /** Starts connecting. */
    void start() {
        say("Connecting to " + where() + " ...");
        link.open();
    }

    /** @return completes with the exit code once the person has quit and the connection is closed */
    CompletableFuture<Integer> finished() {
        return finished;
    }

    // ---------------------------------------------------------------- connection

    @Override
    public void connected() {
        // The greeting line follows; nothing to show before it.
        greetedHere = false;
    }

    @Override
    public void line(String line) {
        if (line.startsWith("HELLO ")) {
            greeted(line);
        } else if (line.equals("PING")) {
            answerProbe();
        } else if (line.startsWith("BYE ")) {
            bye(line.substring(4));
        } else if (ChatEvents.isChatEvent(line)) {
            long seen = events.show(line, me);
            if (seen > 0) {
                // Shown (now or before): the server may stop keeping it for the next login. Without
                // this it would count it received once written to the socket, and a connection lost
                // with it in flight would lose it.
                send("SEEN " + seen, r -> { });
            }
        } else if (!pending.offer(line)) {
            say("(server: " + line + ")");
        }
    }

    private void greeted(String hello) {
        greetedHere = true;
        link.resetBackoff();
        byeReason = null;
        if (!hello.equals(Protocol.GREETING)) {
            say("Note: the server greets with '" + hello + "'; this client speaks '" + Protocol.GREETING
                    + "'. Some things may not work.");
        }
        if (!everConnected) {
            everConnected = true;
            say("Connected to " + where() + ".");
            if (mode == ClientMode.WAIT) {
                resume(ClientMode.MENU_OUT);
            }
            announceConnect = false;
            return;
        }
        if (!announceConnect) {
            return;   // a quiet reconnect after the server closed an idle logged-out connection
        }
        announceConnect = false;
        // The mode changes before the news is printed, so whatever is typed after reading it is
        // taken (and echoed) in the new mode.
        if (reloginName != null && resumeToken != null && mode != ClientMode.DONE) {
            say("Reconnected to " + where() + ". Logging in again as " + reloginName + " ...");
            resumeLogin();
        } else if (reloginName != null && mode != ClientMode.DONE) {
            mode = ClientMode.RELOGIN_ASK;
            ask();
            say("Reconnected to " + where() + ".");
        } else if (mode == ClientMode.OFFLINE) {
            mode = ClientMode.MENU_OUT;
            ask();
            say("Reconnected to " + where() + ".\n" + Texts.MENU_OUT);
        } else {
            say("Reconnected to " + where() + ".");
        }
    }

    /**
     * The server's certificate was not trusted, so nothing was sent. Not pinned yet (trust on first
     * use): show the fingerprint and ask. Anything else (changed, or refused by the trust store):
     * say so loudly and exit with {@link ChatClient#EXIT_UNTRUSTED}, as ssh does, rather than retry.
     */
    @Override
    public void refused(CertificateException cause) {
        if (mode == ClientMode.DONE) {
            finish();
            return;
        }
        if (trust.refused(cause) == TrustOnFirstUse.Next.ASK) {
            if (mode != ClientMode.TRUST_ASK) {
                beforeTrust = mode;
            }
            mode = ClientMode.TRUST_ASK;
            ask();
            trust.explain();
            return;
        }
        finish(ChatClient.EXIT_UNTRUSTED);
    }

    /** The answer to the trust-on-first-use question. */
    private void trustAnswer(String answer) {
        switch (trust.answer(answer)) {
            case CONNECT -> {
                mode = beforeTrust;
                link.open();
            }
            case EXIT -> finish(ChatClient.EXIT_UNTRUSTED);
            default -> { }   // asked again
        }
    }

    @Override
    public void down(String reason, boolean wasConnected) {
        String lostUser = me;
        ClientMode lostMode = mode;
        me = null;
        if (lostUser != null) {
            pendingPassword = null;      // a password change under way is abandoned: the mode becomes OFFLINE
            pendingOldPassword = null;
        }
        pending.failAll();   // handlers print what was lost and pick a logged-out mode
        if (mode == ClientMode.DONE) {
            finish();
            return;
        }
        if (wasConnected && lostUser == null && "idle timeout".equals(byeReason)) {
            link.open();     // the server drops idle logged-out connections: just get a fresh one
            return;
        }
        if (mode == ClientMode.WAIT && everConnected) {
            resume(ClientMode.MENU_OUT);   // no handler picked a mode: never leave the person without a prompt
        }
        Duration delay = link.retryLater();
        announceConnect = true;
        if (wasConnected && takenOver) {
            // Logging back in would take the name back from the login that just took it over.
            takenOver = false;
            resumeToken = null;
            reloginName = null;
            byeReason = null;
            mode = ClientMode.OFFLINE;   // no relogin offered: greeted() brings the logged-out menu
            ask();
            say("You are logged out here" + (lostUser != null ? " (" + lostUser + " is logged in elsewhere)" : "")
                    + ". Reconnecting in " + seconds(delay) + " to the menu; /quit exits.");
            return;
        }
        if (wasConnected && !greetedHere && byeReason == null) {
            // Connected, then closed without a HELLO: not a chat server speaking plain text here.
            String tlsHint = options.tls() == null ? " If that port serves TLS, start the client with --tls." : "";
            say(tlsHintGiven
                    ? "Still no greeting from " + where() + " (" + reason + "); next try in " + seconds(delay) + "."
                    : "The server at " + where() + " closed the connection without greeting this client ("
                            + reason + ")." + tlsHint + " Trying again in " + seconds(delay)
                            + " (and on, less often); 0 or /quit exits.");
            tlsHintGiven = true;
            if (mode == ClientMode.WAIT && !everConnected) {
                resume(ClientMode.MENU_OUT);   // a prompt, so 0, /quit or the end of input can leave
            }
        } else if (wasConnected) {
            if (lostUser != null) {
                reloginName = lostUser;
                resumeMode = lostMode == ClientMode.GROUP || lostMode == ClientMode.PRIVATE ? lostMode : ClientMode.MENU_IN;
                mode = ClientMode.OFFLINE;   // before the news: see greeted()
                ask();
            }
            say("Lost the connection to the server (" + (byeReason != null ? byeReason : reason)
                    + "). Reconnecting in " + seconds(delay) + " ...");
        } else if (!everConnected && mode == ClientMode.WAIT) {
            say("Cannot reach the chat server at " + where() + ": " + reason + ".\n"
                    + "Is it running? Start it with: java -jar examples-chatroom/target/chatroom.jar server\n"
                    + "Trying again in " + seconds(delay) + " (and on, less often); 0 or /quit exits.");
            resume(ClientMode.MENU_OUT);
        } else {
            say("Still cannot reach the server (" + reason + "); next try in " + seconds(delay) + ".");
        }
        byeReason = null;
    }

    /**
     * The server's keepalive probe: it drops a logged-in connection that stays silent after one. The
     * answer is a PING request, whose {@code OK pong} is matched and dropped like any reply; nothing
     * is shown, the person did not ask for it.
     */
    private void answerProbe() {
        if (link.send("PING")) {
            pending.expect("PING", r -> { });
        }
    }

    /** {@code BYE <reason>}: the server is about to close the connection. */
    private void bye(String reason) {
        byeReason = reason;
        if (mode == ClientMode.DONE || "idle timeout".equals(reason)) {
            return;
        }
        if ("logged in elsewhere".equals(reason)) {
            takenOver = true;
            say("Your session was taken over: " + (me != null ? me : "you") + " logged in from another"
                    + " window or device.");
        } else {
            say("The server is closing the connection: " + reason + ".");
        }
    }

    // ---------------------------------------------------------------- keyboard

    /** One answer from the keyboard thread, delivered by the loop's message queue. */
    void typed(Typed t) {
        boolean beforeQuestion = keyboard.answered();
        if (mode == ClientMode.DONE) {
            return;
        }
        if (t.kind() != Typed.Kind.LINE) {
            if (mode == ClientMode.TRUST_ASK) {
                say("No answer, so not connecting.");
                finish(ChatClient.EXIT_UNTRUSTED);
                return;
            }
            quit();
            return;
        }
        if (beforeQuestion && mode == ClientMode.RELOGIN_ASK) {
            say("That line was typed before the question, so it is not the answer (and was not sent).");
            ask();   // the question again, on a fresh line
            return;
        }
        String line = t.line();
        switch (mode) {
            case REGISTER_PASSWORD, REGISTER_REPEAT, LOGIN_PASSWORD, RELOGIN_PASSWORD,
                 CHANGE_OLD, CHANGE_NEW, CHANGE_REPEAT -> password(line);
            case TRUST_ASK -> {
                if (line.strip().startsWith("/")) {
                    slash(line);
                } else {
                    trustAnswer(line);
                }
            }
            default -> {
                if (line.startsWith("//") && (mode == ClientMode.PRIVATE || mode == ClientMode.GROUP)) {
                    chatLine(line.substring(1));
                } else if (line.startsWith("/")) {
                    slash(line);
                } else {
                    plain(line);
                }
            }
        }
        ask();
    }

    /** Asks the keyboard thread for the next line, or re-labels the read in progress. */
    private void ask() {
        if (mode.hasPrompt()) {
            keyboard.ask(mode, promptFor(mode));
        }
    }

    private Prompt promptFor(ClientMode m) {
        return switch (m) {
            case MENU_OUT -> new Prompt("menu> ", false);
            case REGISTER_NAME -> new Prompt("New name: ", false);
            case REGISTER_PASSWORD -> new Prompt("New password (8+ characters, no spaces): ", true);
            case REGISTER_REPEAT -> new Prompt("Repeat the password: ", true);
            case LOGIN_NAME -> new Prompt("Name: ", false);
            case LOGIN_PASSWORD -> new Prompt("Password: ", true);
            case MENU_IN -> new Prompt(me + "> ", false);
            case PICK_PARTNER -> new Prompt("Chat with (a name; Enter for the menu): ", false);
            case PRIVATE -> new Prompt(me + " to " + partner + "> ", false);
            case GROUP -> new Prompt(me + " to all> ", false);
            case HISTORY_COUNT -> new Prompt("How many messages, and optionally with whom (Enter for 20): ", false);
            case RELOGIN_ASK -> new Prompt("Log in again as " + reloginName + "? [Y/n] ", false);
            case RELOGIN_PASSWORD -> new Prompt("Password for " + reloginName + ": ", true);
            case TRUST_ASK -> new Prompt("Trust this server and connect? [yes/no] ", false);
            case CHANGE_OLD -> new Prompt("Current password (Enter cancels): ", true);
            case CHANGE_NEW -> new Prompt("New password (8+ characters, no spaces): ", true);
            case CHANGE_REPEAT -> new Prompt("Repeat the new password: ", true);
            case OFFLINE -> new Prompt("(offline)> ", false);
            case WAIT, DONE -> throw new IllegalStateException("no prompt in " + m);
        };
    }

    private void plain(String line) {
        String choice = line.strip();
        switch (mode) {
            case MENU_OUT -> menuOut(choice);
            case MENU_IN -> menuIn(choice);
            case REGISTER_NAME, LOGIN_NAME -> {
                if (choice.isEmpty()) {
                    resume(ClientMode.MENU_OUT);
                } else if (choice.contains(" ")) {
                    say("Names cannot contain spaces.");
                } else {
                    pendingName = choice;
                    mode = mode == ClientMode.REGISTER_NAME ? ClientMode.REGISTER_PASSWORD : ClientMode.LOGIN_PASSWORD;
                }
            }
            case PICK_PARTNER -> {
                if (choice.isEmpty()) {
                    resume(ClientMode.MENU_IN);
                } else {
                    startPrivate(choice, ClientMode.MENU_IN);
                }
            }
            case PRIVATE, GROUP -> chatLine(line);
            case HISTORY_COUNT -> history(choice, ClientMode.MENU_IN);
            case RELOGIN_ASK -> {
                String a = choice.toLowerCase(Locale.ROOT);
                if (a.isEmpty() || a.equals("y") || a.equals("yes")) {
                    mode = ClientMode.RELOGIN_PASSWORD;
                } else if (a.equals("n") || a.equals("no")) {
                    reloginName = null;
                    resume(ClientMode.MENU_OUT);
                } else {
                    say("Type y or n.");
                }
            }
            case OFFLINE -> say(link.isConnected() && reloginName != null
                    ? "Logging in again, so that was not sent. Type it again in a moment."
                    : "Not connected, so that was not sent. The client is reconnecting; /quit exits.");
            default -> throw new IllegalStateException("input in " + mode);
        }
    }

    private void menuOut(String choice) {
        switch (choice) {
            case "1" -> {
                if (requireConnection()) {
                    mode = ClientMode.REGISTER_NAME;
                }
            }
            case "2" -> {
                if (requireConnection()) {
                    mode = ClientMode.LOGIN_NAME;
                }
            }
            case "3" -> {
                say(Texts.HELP);
                say(Texts.MENU_OUT);
            }
            case "0" -> quit();
            case "" -> say(Texts.MENU_OUT);
            default -> say("Type 1, 2, 3 or 0 (or /help).");
        }
    }

    private void menuIn(String choice) {
        switch (choice) {
            case "1" -> who(ClientMode.MENU_IN);
            case "2" -> who(ClientMode.PICK_PARTNER);
            case "3" -> startGroup();
            case "4" -> mode = ClientMode.HISTORY_COUNT;
            case "0" -> logout();
            case "" -> say(Texts.MENU_IN);
            default -> say("Type 1, 2, 3, 4 or 0 (or /help).");
        }
    }

    private void password(String pw) {
        if (pw.isEmpty()) {
            say("Cancelled.");
            pendingPassword = null;
            pendingOldPassword = null;
            resume(me != null ? ClientMode.MENU_IN : ClientMode.MENU_OUT);
            return;
        }
        switch (mode) {
            case REGISTER_PASSWORD -> {
                if (acceptableNewPassword(pw)) {
                    pendingPassword = pw;
                    mode = ClientMode.REGISTER_REPEAT;
                }
            }
            case CHANGE_OLD -> {
                pendingOldPassword = pw;
                mode = ClientMode.CHANGE_NEW;
            }
            case CHANGE_NEW -> {
                if (acceptableNewPassword(pw)) {
                    pendingPassword = pw;
                    mode = ClientMode.CHANGE_REPEAT;
                }
            }
            case CHANGE_REPEAT -> {
                String first = pendingPassword;
                pendingPassword = null;
                if (!pw.equals(first)) {
                    say("The two new passwords differ. Choose the new password again.");
                    mode = ClientMode.CHANGE_NEW;
                } else {
                    String old = pendingOldPassword;
                    pendingOldPassword = null;
                    changePassword(old, pw);
                }
            }
            case REGISTER_REPEAT -> {
                String first = pendingPassword;
                pendingPassword = null;
                if (!pw.equals(first)) {
                    say("The two passwords differ. Choose the password again.");
                    mode = ClientMode.REGISTER_PASSWORD;
                } else {
                    register(pendingName, pw);
                }
            }
            case LOGIN_PASSWORD -> login(pendingName, pw, false);
            case RELOGIN_PASSWORD -> login(reloginName, pw, true);
            default -> throw new IllegalStateException("password in " + mode);
        }
    }

    /**
     * Whether {@code pw} may be a new password; if not, says why. Refused here, before "Repeat":
     * the server would refuse it only after the person had typed it twice.
     */
    private boolean acceptableNewPassword(String pw) {
        int bytes = CommandParser.utf8Length(pw);
        if (pw.contains(" ")) {
            say("Passwords cannot contain spaces. Choose another one.");
            return false;
        }
        if (bytes < Protocol.MIN_PASSWORD_BYTES || bytes > Protocol.MAX_PASSWORD_BYTES) {
            say(bytes < Protocol.MIN_PASSWORD_BYTES
                    ? "That password is too short: at least " + Protocol.MIN_PASSWORD_BYTES
                            + " characters. Choose another one."
                    : "That password is too long: at most " + Protocol.MAX_PASSWORD_BYTES
                            + " bytes. Choose another one.");
            return false;
        }
        return true;
    }

    private void slash(String line) {
        String[] parts = line.substring(1).strip().split(" +", 2);
        String cmd = parts[0].toLowerCase(Locale.ROOT);
        String rest = parts.length > 1 ? parts[1].strip() : "";
        ClientMode here = mode == ClientMode.WAIT ? ClientMode.MENU_OUT : mode;
        switch (cmd) {
            case "help", "?" -> say(Texts.HELP);
            case "quit", "exit" -> quit();
            case "back" -> resume(me != null ? ClientMode.MENU_IN : mode == ClientMode.OFFLINE ? ClientMode.OFFLINE : ClientMode.MENU_OUT);
            case "register", "login" -> {
                if (me != null) {
                    say("You are logged in as " + me + ". Log out first (/logout).");
                } else if (requireConnection()) {
                    boolean reg = cmd.equals("register");
                    if (rest.isEmpty() || rest.contains(" ")) {
                        mode = reg ? ClientMode.REGISTER_NAME : ClientMode.LOGIN_NAME;
                    } else {
                        pendingName = rest;
                        mode = reg ? ClientMode.REGISTER_PASSWORD : ClientMode.LOGIN_PASSWORD;
                    }
                }
            }
            case "who", "msg", "say", "history", "chat", "group", "password", "logout" -> {
                if (me == null) {
                    say(Texts.error(new Reply(List.of(), 401, "login required"), null));
                    return;
                }
                loggedInCommand(cmd, rest, here);
            }
            default -> say("Unknown command /" + cmd + ". Type /help for the list.");
        }
    }

    private void loggedInCommand(String cmd, String rest, ClientMode here) {
        switch (cmd) {
            case "who" -> who(here);
            case "msg" -> {
                String[] nt = rest.split(" +", 2);
                if (nt.length < 2 || nt[1].isBlank()) {
                    say("Usage: /msg <name> <text>");
                } else {
                    sendPrivate(nt[0], nt[1]);
                }
            }
            case "say" -> {
                if (rest.isEmpty()) {
                    say("Usage: /say <text>");
                } else {
                    sendGroup(rest);
                }
            }
            case "history" -> history(rest, here);
            case "chat" -> {
                if (rest.isEmpty() || rest.contains(" ")) {
                    who(ClientMode.PICK_PARTNER);
                } else {
                    startPrivate(rest, here);
                }
            }
            case "group" -> startGroup();
            case "password" -> mode = ClientMode.CHANGE_OLD;
            case "logout" -> logout();
            default -> throw new IllegalStateException(cmd);
        }
    }

    // ---------------------------------------------------------------- requests

    private void register(String name, String pw) {
        request("REGISTER " + name + " " + pw, r -> {
            if (r.ok()) {
                say("Registered " + name + ". Log in with 2 (or /login " + name + ").");
            } else {
                say(Texts.error(r, name));
            }
            resume(me != null ? ClientMode.MENU_IN : ClientMode.MENU_OUT);
        });
    }

    private void login(String name, String pw, boolean again) {
        request("LOGIN " + name + " " + pw, r -> {
            if (r.ok()) {
                me = r.text().startsWith("welcome ") ? r.text().substring(8) : name;
                reloginName = null;
                resumeToken = null;
                for (String d : r.data()) {
                    if (d.startsWith("TOKEN ")) {
                        resumeToken = d.substring(6);
                    }
                }
                say((again ? "Welcome back, " : "Welcome, ") + me + "!");
                resume(ClientMode.MENU_IN);
            } else {
                say(Texts.error(r, name));
                resume(ClientMode.MENU_OUT);
            }
        });
    }

    /**
     * Logs back in after a lost connection with the token of the last LOGIN. A lost reply leaves the
     * token for the next reconnect; a refusal (expired, revoked) falls back to asking for the password.
     */
    private void resumeLogin() {
        String name = reloginName;
        // Sent without WAIT: the keyboard thread holds the "(offline)> " prompt, which stays until
        // the answer picks the next mode.
        send("RESUME " + name + " " + resumeToken, r -> {
            if (r.ok()) {
                me = r.text().startsWith("welcome ") ? r.text().substring(8) : name;
                reloginName = null;
                say("Welcome back, " + me + "!");
                ClientMode back = (resumeMode == ClientMode.PRIVATE && partner != null) || resumeMode == ClientMode.GROUP
                        ? resumeMode : ClientMode.MENU_IN;
                if (back == ClientMode.MENU_IN) {
                    resume(ClientMode.MENU_IN);
                } else {
                    mode = back;
                    ask();
                    say(back == ClientMode.GROUP ? "Back in the group chat." : "Back in the private chat with " + partner + ".");
                }
            } else if (r.code() == Reply.LOST || r.code() == Reply.NOT_SENT) {
                mode = ClientMode.OFFLINE;   // down() follows; the next greeting tries again
            } else {
                mode = ClientMode.RELOGIN_ASK;   // before the news: see greeted()
                ask();
                if (r.code() == 401) {
                    resumeToken = null;
                    say("The saved login of " + name + " is no longer valid.");
                } else {
                    say(Texts.error(r, name));
                }
            }
        });
    }

    private void who(ClientMode next) {
        request("WHO", r -> {
            if (!r.ok()) {
                say(Texts.error(r, null));
                resume(fallback(next));
                return;
            }
            List<String> names = new ArrayList<>();
            for (String d : r.data()) {
                if (d.startsWith("USER ")) {
                    String n = d.substring(5);
                    names.add(n.equalsIgnoreCase(me) ? n + " (you)" : n);
                }
            }
            say("Online (" + names.size() + "): " + String.join(", ", names));
            resume(next);
        });
    }

    private void startPrivate(String name, ClientMode onError) {
        request("HISTORY 10 " + name, r -> {
            if (!r.ok()) {
                say(Texts.error(r, name));
                resume(fallback(onError));
                return;
            }
            partner = name;
            say("Private chat with " + name + ": every line you type goes to them; /back returns to the menu.");
            if (!r.data().isEmpty()) {
                say("Your last messages with " + name + ":");
                showHistory(r.data());
            }
            resume(ClientMode.PRIVATE);
        });
    }

    private void startGroup() {
        say("Group chat: every line you type goes to everyone online; /back returns to the menu.");
        mode = ClientMode.GROUP;
    }

    private void chatLine(String text) {
        if (text.isBlank()) {
            return;
        }
        if (mode == ClientMode.PRIVATE) {
            sendPrivate(partner, text);
        } else {
            sendGroup(text);
        }
    }

    private void sendPrivate(String to, String text) {
        send("MSG " + to + " " + text, r -> {
            if (r.ok() && r.text().startsWith("stored")) {
                say("(" + to + " is offline and gets it at their next login.)");
            } else if (!r.ok()) {
                say(Texts.error(r, to));
            }
        });
    }

    private void sendGroup(String text) {
        send("SAY " + text, r -> {
            if (!r.ok()) {
                say(Texts.error(r, null));
            }
        });
    }

    private void history(String args, ClientMode next) {
        String a = args.strip();
        request(a.isEmpty() ? "HISTORY" : "HISTORY " + a, r -> {
            if (!r.ok()) {
                say(Texts.error(r, a.contains(" ") ? a.substring(a.indexOf(' ') + 1) : a));
            } else if (r.data().isEmpty()) {
                say("No messages yet.");
            } else {
                showHistory(r.data());
            }
            resume(fallback(next));
        });
    }

    private void showHistory(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        for (String d : lines) {
            String[] f = d.split(" ", 6);   // HIST id epoch from to text
            if (f.length == 6 && f[0].equals("HIST")) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(Texts.historyLine(f[3], f[4], Texts.number(f[2]), f[5], options.zone()));
            }
        }
        say(sb.toString());
    }

    private void logout() {
        request("LOGOUT", r -> {
            if (r.ok()) {
                say("Logged out. Goodbye, " + me + ".");
                me = null;
                resumeToken = null;   // the server revoked it
                resume(ClientMode.MENU_OUT);
            } else {
                say(Texts.error(r, null));
                resume(fallback(ClientMode.MENU_IN));
            }
        });
    }

    /**
     * PASSWORD. The server revoked every resume token of the user (other devices must log in with the
     * new password) and sent this session a new one, which replaces the one kept for reconnects.
     */
    private void changePassword(String old, String pw) {
        request("PASSWORD " + old + " " + pw, r -> {
            if (r.ok()) {
                for (String d : r.data()) {
                    if (d.startsWith("TOKEN ")) {
                        resumeToken = d.substring(6);
                    }
                }
                say("Password changed. Anywhere else you are logged in, log in again with the new password.");
            } else if (r.code() == Reply.LOST) {
                resumeToken = null;   // revoked if the change was made: the reconnect will ask
                say("The connection broke before the server answered, so the password may or may not have been"
                        + " changed. Try the new one when you log in again.");
            } else {
                say(Texts.error(r, null));
            }
            resume(fallback(ClientMode.MENU_IN));
        });
    }

    /** Sends a request and waits for its reply before the next prompt. */
    private void request(String line, Consumer<Reply> handler) {
        if (!link.send(line)) {
            handler.accept(Reply.notSent());
            return;
        }
        mode = ClientMode.WAIT;
        pending.expect(line, handler);
    }

    /** Sends a request without waiting: the next prompt comes at once, the reply is handled when it comes. */
    private void send(String line, Consumer<Reply> handler) {
        if (!link.send(line)) {
            handler.accept(Reply.notSent());
            return;
        }
        pending.expect(line, handler);
    }

    private void quit() {
        mode = ClientMode.DONE;
        if (!link.isConnected()) {
            finish();
            return;
        }
        link.send("QUIT");
        pending.expect("QUIT", r -> finish());
        quitTimer = base.newTimer((ev, what) -> finish());
        quitTimer.add(options.quitTimeout());
    }

    private void finish() {
        finish(0);
    }

    /** Ends the session; the client exits with {@code status}. */
    private void finish(int status) {
        if (finished.isDone()) {
            return;
        }
        mode = ClientMode.DONE;
        link.close();
        if (quitTimer != null) {
            quitTimer.free();
        }
        say("Bye.");
        finished.complete(status);   // before STOP: the keyboard thread reads the status once it stops
        keyboard.stop();   // the keyboard thread is not reading: it answered the last prompt
    }

    // ---------------------------------------------------------------- helpers

    /** Enters {@code m}, showing its menu if it is one. The prompt follows from the caller's ask(). */
    private void resume(ClientMode m) {
        if (mode == ClientMode.DONE) {
            return;
        }
        mode = m;
        if (m == ClientMode.MENU_OUT) {
            say(Texts.MENU_OUT);
        } else if (m == ClientMode.MENU_IN) {
            say(Texts.MENU_IN);
        }
        ask();
    }

    /** A logged-in mode to go back to, unless the login is gone meanwhile. */
    private ClientMode fallback(ClientMode wanted) {
        if (me != null) {
            return wanted;
        }
        return reloginName != null && !link.isConnected() ? ClientMode.OFFLINE : ClientMode.MENU_OUT;
    }

    private boolean requireConnection() {
        if (link.isConnected()) {
            return true;
        }
        say(Texts.error(Reply.notSent(), null));
        return false;
    }

    private void say(String text) {
        console.printAbove(text);
    }

    private String where() {
        return options.host() + ":" + options.port();
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
