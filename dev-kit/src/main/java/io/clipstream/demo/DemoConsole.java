package io.clipstream.demo;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.review.ConsoleUsers;
import io.clipstream.review.ReviewKeys;
import io.clipstream.review.ReviewService;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/**
 * The review console of the demo, on loopback, with three users whose passwords are drawn at random for this run
 * and printed (the only place a password is ever printed: a demo on a developer's machine).
 */
final class DemoConsole {

    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

    private DemoConsole() {}

    /** Starts the console on the demo's configuration and prints its address and logins. */
    static ReviewService start(ClipStreamConfig config, int port, PrintStream progress) {
        Map<String, String> logins = new java.util.LinkedHashMap<>();
        StringBuilder users = new StringBuilder();
        for (String role : new String[] {"moderator", "viewer", "admin"}) {
            String password = password();
            logins.put(role, password);
            users.append(users.length() == 0 ? "" : ",")
                    .append(role)
                    .append(':')
                    .append(role)
                    .append(':')
                    .append(ConsoleUsers.hash(password.toCharArray()));
        }
        Map<String, String> settings = new HashMap<>(config.originalsStrings());
        settings.put(ReviewKeys.REVIEW_USERS, users.toString());
        settings.put(ReviewKeys.REVIEW_HTTP_HOST, "127.0.0.1");
        settings.put(ReviewKeys.REVIEW_HTTP_PORT, Integer.toString(port));
        settings.put(ReviewKeys.REVIEW_APPLICATION_ID, "clipstream-demo-review");
        ReviewService service = ReviewService.start(ClipStreamConfig.of(settings));
        progress.printf("Review console: %s%n", service.url());
        logins.forEach((user, password) -> progress.printf("  demo login: %s / %s%n", user, password));
        return service;
    }

    /** The console's port: {@code CLIPSTREAM_REVIEW_HTTP_PORT} when set, else a free one (printed), as for /metrics. */
    static int port() {
        String port = System.getenv(ClipStreamConfig.envFor(ReviewKeys.REVIEW_HTTP_PORT));
        return port == null || port.isBlank() ? 0 : Integer.parseInt(port.trim());
    }

    private static String password() {
        SecureRandom random = new SecureRandom();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return out.toString();
    }
}
