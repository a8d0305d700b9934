package io.jevent.chat.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.jevent.chat.Transport;

/**
 * A blocking test client that speaks the chat protocol, over plain TCP or, as the JDK's own
 * {@code SSLSocket}, inside TLS ({@link Transport}). Every read has a timeout, so a server bug
 * fails the test at once instead of hanging it. Events that arrive while a test waits for a reply
 * are kept in {@link #events} so tests can assert on them too.
 */
final class ChatClient implements AutoCloseable {
    static final int READ_TIMEOUT_MS = 10_000;

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Event lines (FROM, GROUP, JOIN, PART, BYE, PING) seen while reading replies, in arrival order. */
    final List<String> events = new ArrayList<>();

    private ChatClient(Socket tcp, Transport transport) throws IOException {
        tcp.setSoTimeout(READ_TIMEOUT_MS);
        this.socket = transport.over(tcp);
        this.in = new java.io.BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects over plain TCP and reads the greeting. */
    static ChatClient connect(InetSocketAddress address) {
        return connect(Transport.PLAIN, address);
    }

    /** Connects over {@code transport} and reads the greeting. */
    static ChatClient connect(Transport transport, InetSocketAddress address) {
        ChatClient c = connectRaw(transport, address, 0);
        assertThat(c.readLine()).isEqualTo("HELLO jevent-chat 1");
        return c;
    }

    /**
     * Connects from the loopback address {@code localHost} (say {@code 127.0.0.2}), so the server
     * sees another client address, and reads the greeting.
     */
    static ChatClient connectFrom(Transport transport, InetSocketAddress address, String localHost) {
        try {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(localHost, 0));
            s.connect(address, READ_TIMEOUT_MS);
            ChatClient c = new ChatClient(s, transport);
            assertThat(c.readLine()).isEqualTo("HELLO jevent-chat 1");
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Connects without reading anything (over TLS, the handshake is done); {@code receiveBuffer} 0
     * keeps the OS default.
     */
    static ChatClient connectRaw(Transport transport, InetSocketAddress address, int receiveBuffer) {
        try {
            Socket s = new Socket();
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.connect(address, READ_TIMEOUT_MS);
            return new ChatClient(s, transport);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one line (a {@code \n} is appended). */
    ChatClient send(String line) {
        return sendRaw((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    ChatClient sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next line without its {@code \n}, or null at end of stream; fails on timeout. */
    String readLine() {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            if (line.size() > 0) {
                fail("stream ended inside a line: " + line.toString(StandardCharsets.UTF_8));
            }
            return null;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no line from the server within " + READ_TIMEOUT_MS + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads one reply block: data lines up to and including the final {@code OK}/{@code ERR} line.
     * Events before or between are moved to {@link #events}.
     */
    List<String> readReply() {
        List<String> block = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                fail("connection closed while waiting for a reply; got " + block + ", events " + events);
            }
            if (isEvent(line)) {
                events.add(line);
                continue;
            }
            block.add(line);
            if (line.equals("OK") || line.startsWith("OK ") || line.startsWith("ERR ")) {
                return block;
            }
        }
    }

    /** Sends a command and returns its final reply line. */
    String call(String line) {
        send(line);
        List<String> block = readReply();
        return block.get(block.size() - 1);
    }

    /** Sends a command and returns its whole reply block (data lines and the final line). */
    List<String> callBlock(String line) {
        send(line);
        return readReply();
    }

    /** Reads until an event matching {@code what} arrives (it and the ones before go to {@link #events}). */
    String awaitEvent(Predicate<String> what) {
        for (String e : events) {
            if (what.test(e)) {
                events.remove(e);
                return e;
            }
        }
        while (true) {
            String line = readLine();
            if (line == null) {
                fail("connection closed while waiting for an event; events " + events);
            }
            if (!isEvent(line)) {
                fail("reply line while waiting for an event: " + line);
            }
            if (what.test(line)) {
                return line;
            }
            events.add(line);
        }
    }

    String awaitEvent(String exact) {
        return awaitEvent(exact::equals);
    }

    /** Reads everything up to the end of the stream. */
    List<String> readToEnd() {
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = readLine()) != null) {
            lines.add(line);
        }
        return lines;
    }

    /** REGISTER then LOGIN, asserting both succeed; returns the events up to the welcome. */
    ChatClient registerAndLogin(String name, String password) {
        assertThat(call("REGISTER " + name + " " + password)).isEqualTo("OK registered");
        return login(name, password);
    }

    ChatClient login(String name, String password) {
        assertThat(call("LOGIN " + name + " " + password)).isEqualTo("OK welcome " + name);
        return this;
    }

    static boolean isEvent(String line) {
        return line.equals("PING") || line.startsWith("FROM ") || line.startsWith("GROUP ") || line.startsWith("JOIN ")
                || line.startsWith("PART ") || line.startsWith("BYE ");
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
