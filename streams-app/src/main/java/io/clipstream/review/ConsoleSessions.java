package io.clipstream.review;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Logged-in sessions: a random id (the cookie) and a random CSRF token each, ending after an idle timeout. */
public final class ConsoleSessions {

    /** One session. */
    public record Session(String id, ConsoleUsers.User user, String csrf) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Duration idle;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    public ConsoleSessions(Duration idle) {
        this.idle = idle;
    }

    /** A new session of {@code user}. */
    public Session open(ConsoleUsers.User user, long now) {
        Session session = new Session(token(), user, token());
        sessions.put(session.id(), session);
        lastSeen.put(session.id(), now);
        return session;
    }

    /** The live session with this id, touched; empty when unknown or idle too long. */
    public Optional<Session> find(String id, long now) {
        if (id == null) {
            return Optional.empty();
        }
        Session session = sessions.get(id);
        Long seen = lastSeen.get(id);
        if (session == null || seen == null) {
            return Optional.empty();
        }
        if (now - seen > idle.toMillis()) {
            close(id);
            return Optional.empty();
        }
        lastSeen.put(id, now);
        return Optional.of(session);
    }

    /** Ends a session. */
    public void close(String id) {
        if (id != null) {
            sessions.remove(id);
            lastSeen.remove(id);
        }
    }

    /** 32 random bytes, URL-safe Base64. */
    static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Compares tokens in constant time. */
    static boolean same(String expected, String given) {
        return expected != null
                && given != null
                && java.security.MessageDigest.isEqual(
                        expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        given.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
