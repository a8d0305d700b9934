package io.jevent.chat.client;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Shows the server's chat events as the person reads them: {@code FROM} (a private message),
 * {@code GROUP}, {@code JOIN} and {@code PART}. The server delivers a private message at least once
 * (a message in flight when a connection dropped comes again at the next login), so each is shown
 * once: the ids of the last {@value #REMEMBERED_IDS} shown are remembered. Loop thread only.
 */
final class ChatEvents {
    private static final int REMEMBERED_IDS = 1024;

    private final Consumer<String> say;
    private final ZoneId zone;
    private final Map<Long, Boolean> shownPrivate = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > REMEMBERED_IDS;
        }
    };

    /**
     * @param say  prints a message to the person
     * @param zone the time zone message times are shown in
     */
    ChatEvents(Consumer<String> say, ZoneId zone) {
        this.say = say;
        this.zone = zone;
    }

    /** Whether the server's {@code line} is one of the events shown here. */
    static boolean isChatEvent(String line) {
        return line.startsWith("FROM ") || line.startsWith("GROUP ") || line.startsWith("JOIN ")
                || line.startsWith("PART ");
    }

    /**
     * Shows one event.
     *
     * @param line a line {@link #isChatEvent} accepts
     * @param me   the name logged in here (its own JOIN is not news), or null
     * @return the id of a private message shown now or before, which the client confirms with
     *         {@code SEEN} so the server stops keeping it; 0 for anything else
     */
    long show(String line, String me) {
        String[] f = line.split(" ", 5);
        switch (f[0]) {
            case "FROM" -> {
                long id = f.length == 5 ? Texts.number(f[2]) : 0;
                if (id > 0 && shownPrivate.put(id, Boolean.TRUE) == null) {
                    say.accept(Texts.privateMessage(f[1], Texts.number(f[3]), f[4], zone));
                }
                return Math.max(id, 0);
            }
            case "GROUP" -> {
                if (f.length == 5) {
                    say.accept(Texts.groupMessage(f[1], Texts.number(f[3]), f[4], zone));
                }
            }
            case "JOIN" -> {
                if (f.length >= 2 && !f[1].equalsIgnoreCase(me)) {
                    say.accept("* " + f[1] + " is online");
                }
            }
            case "PART" -> {
                if (f.length >= 2) {
                    say.accept("* " + f[1] + " went offline");
                }
            }
            default -> throw new IllegalArgumentException("not a chat event: " + f[0]);
        }
        return 0;
    }
}
