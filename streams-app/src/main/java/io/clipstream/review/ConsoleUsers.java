package io.clipstream.review;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;

/**
 * The console's users, from {@code review.users} ({@code NAME:ROLE:BCRYPT_HASH}, comma-separated). Passwords are
 * checked against bcrypt hashes (at.favre.lib's bcrypt: maintained, no dependencies, constant-time compare); no
 * password is ever held in plain text.
 */
public final class ConsoleUsers {

    /** One user. */
    public record User(String name, Role role, String hash) {
        @Override
        public String toString() {
            return name + " (" + role + ")";
        }
    }

    /** Cost of hashes made by {@link #hash}. */
    public static final int COST = 12;
    /** Checked when the user is unknown, so that a wrong name takes as long as a wrong password. */
    private static final byte[] DUMMY = BCrypt.withDefaults().hash(COST, "not a user".toCharArray());

    private final Map<String, User> byName;

    private ConsoleUsers(Map<String, User> byName) {
        this.byName = Map.copyOf(byName);
    }

    /**
     * Parses {@code review.users}.
     *
     * @throws ConfigException naming {@link ReviewKeys#REVIEW_USERS} and the entry at fault
     */
    public static ConsoleUsers parse(List<String> entries) {
        Map<String, User> users = new LinkedHashMap<>();
        for (String entry : entries) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.trim().split(":", 3);
            if (parts.length != 3 || parts[0].isBlank()) {
                throw new ConfigException(ReviewKeys.REVIEW_USERS, redact(entry), "expected NAME:ROLE:BCRYPT_HASH");
            }
            Role role;
            try {
                role = Role.parse(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        ReviewKeys.REVIEW_USERS,
                        redact(entry),
                        "role must be viewer, moderator or admin, found '" + parts[1] + "'");
            }
            if (!parts[2].matches("\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
                throw new ConfigException(
                        ReviewKeys.REVIEW_USERS,
                        redact(entry),
                        "user " + parts[0] + " has no bcrypt hash (make one with `clipstream review --hash-password`)");
            }
            if (users.put(parts[0], new User(parts[0], role, parts[2])) != null) {
                throw new ConfigException(ReviewKeys.REVIEW_USERS, redact(entry), "user " + parts[0] + " is twice");
            }
        }
        if (users.isEmpty()) {
            throw new ConfigException(ReviewKeys.REVIEW_USERS, "", "the review console needs at least one user");
        }
        return new ConsoleUsers(users);
    }

    /** The user whose password this is; empty for an unknown user or a wrong password (equally slow). */
    public Optional<User> authenticate(String name, String password) {
        User user = name == null ? null : byName.get(name);
        char[] given = password == null ? new char[0] : password.toCharArray();
        byte[] hash = user == null ? DUMMY : user.hash().getBytes(StandardCharsets.US_ASCII);
        boolean ok = BCrypt.verifyer().verify(given, hash).verified;
        return ok && user != null ? Optional.of(user) : Optional.empty();
    }

    /** A bcrypt hash of {@code password} for {@code review.users}. */
    public static String hash(char[] password) {
        return BCrypt.withDefaults().hashToString(COST, password);
    }

    private static String redact(String entry) {
        int last = entry.lastIndexOf(':');
        return last < 0 ? "[hidden]" : entry.substring(0, last) + ":[hidden]";
    }
}
