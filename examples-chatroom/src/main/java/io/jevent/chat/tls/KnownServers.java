package io.jevent.chat.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client's pinned server certificates (trust on first use), like ssh's {@code known_hosts}: a
 * text file {@value #FILE_NAME} in the client's configuration directory, one line per server,
 * {@code host:port SHA256-fingerprint}; lines starting with {@code #} are comments. The host is
 * written as the person typed it (lower-cased), so {@code localhost} and {@code 127.0.0.1} are
 * separate entries, as in ssh.
 *
 * <p>Thread-safe: the trust manager reads it on the TLS engine's task thread, the client's loop
 * adds to it. Each call reads the file again, so a line removed by hand counts at the next connect.
 */
public final class KnownServers {
    /** The file's name in the configuration directory. */
    public static final String FILE_NAME = "known_servers";
    private final Path file;

    /**
     * @param configDir the client's configuration directory (made when the first pin is written)
     */
    public KnownServers(Path configDir) {
        this.file = configDir.resolve(FILE_NAME);
    }

    /** @return the file the pins are kept in */
    public Path file() {
        return file;
    }

    /** The key of a server in the file: {@code host:port}, the host lower-cased. */
    static String key(String host, int port) {
        String h = host.toLowerCase(Locale.ROOT);
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;   // an IPv6 literal in brackets
    }

    /**
     * The pinned fingerprint of a server.
     *
     * @return it, or null if the server has none
     * @throws IOException if the file exists but cannot be read, or a line for the server is malformed
     */
    public synchronized String lookup(String host, int port) throws IOException {
        String key = key(host, port);
        for (String line : lines()) {
            String[] f = line.strip().split("\\s+", -1);
            if (f.length >= 2 && f[0].equals(key)) {
                try {
                    return Fingerprints.parse(f[1]);
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": the line for " + key + " is damaged (" + e.getMessage()
                            + "); fix or delete it", e);
                }
            }
        }
        return null;
    }

    /**
     * Pins a fingerprint for a server, replacing its line if it has one; the file is written whole
     * to a temporary file and moved over the old one, so a crash leaves one or the other.
     *
     * @throws IOException if the directory or file cannot be written
     */
    public synchronized void pin(String host, int port, String fingerprint) throws IOException {
        String key = key(host, port);
        List<String> out = new ArrayList<>();
        for (String line : lines()) {
            String[] f = line.strip().split("\\s+", -1);
            if (!(f.length >= 1 && f[0].equals(key))) {
                out.add(line);
            }
        }
        if (out.isEmpty()) {
            out.add("# Chat servers this client trusts: host:port SHA-256 fingerprint of its certificate.");
        }
        out.add(key + " " + Fingerprints.parse(fingerprint));
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp");
        try {
            Files.write(tmp, out, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private List<String> lines() throws IOException {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>(all.size());
            for (String l : all) {
                if (!l.isBlank()) {
                    kept.add(l);
                }
            }
            return kept;
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}
