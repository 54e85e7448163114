package io.clipstream.review;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed logins per user name and per client address: after {@code maxFailures} within the window, further
 * attempts are refused without checking the password until the oldest failure leaves the window.
 */
public final class LoginThrottle {

    private final int maxFailures;
    private final long windowMs;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    public LoginThrottle(int maxFailures, long windowMs) {
        this.maxFailures = maxFailures;
        this.windowMs = windowMs;
    }

    /** Whether an attempt for {@code user} from {@code address} may be checked now. */
    public boolean allows(String user, String address, long now) {
        return recent("user:" + user, now) < maxFailures && recent("addr:" + address, now) < maxFailures;
    }

    /** Counts a failed attempt. */
    public void failed(String user, String address, long now) {
        add("user:" + user, now);
        add("addr:" + address, now);
    }

    private int recent(String key, long now) {
        Deque<Long> times = failures.get(key);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            while (!times.isEmpty() && now - times.peekFirst() >= windowMs) {
                times.pollFirst();
            }
            return times.size();
        }
    }

    private void add(String key, long now) {
        Deque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            while (times.size() > maxFailures) {
                times.pollFirst();
            }
        }
    }
}
