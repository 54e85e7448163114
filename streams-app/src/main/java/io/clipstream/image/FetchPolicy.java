package io.clipstream.image;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@link ImageFetcher} may fetch and how long and how much it may take.
 *
 * @param allowedHosts the hosts images may come from, including every redirect hop. An entry is either an exact
 *     host name ({@code images.example.com}, compared case-insensitively) or a wildcard {@code *.example.com}
 *     that matches any subdomain at any depth ({@code a.example.com}, {@code a.b.example.com}) but not
 *     {@code example.com} itself. The wildcard suffix must have at least two labels ({@code *.com} is refused).
 *     Entries are stored lower-case. No ports, schemes, paths or IPv6 literals. An empty set refuses everything.
 * @param maxBytes the largest body accepted, 1 to {@value #MAX_BYTES_LIMIT}; at most {@code maxBytes + 1} body
 *     bytes are ever buffered
 * @param connectTimeout the limit for each TCP connect (also capped by what is left of {@code totalTimeout})
 * @param totalTimeout the deadline of the whole fetch: resolution, connects, TLS handshakes, every redirect hop
 *     and the body transfer together
 * @param maxRedirects the most redirects followed, 0 to {@value #MAX_REDIRECTS_LIMIT}; 0 treats any redirect as
 *     {@link FetchRejectionReason#REFERENCE_REDIRECTS}
 * @param allowPrivateAddresses TESTS ONLY; production must never set it. When true, loopback addresses (127/8,
 *     ::1) are accepted so tests can serve over loopback; every other refused class (private, link-local, metadata,
 *     CGNAT, ...) stays refused, so tests can still prove that redirects to them are refused.
 */
public record FetchPolicy(
        Set<String> allowedHosts,
        long maxBytes,
        Duration connectTimeout,
        Duration totalTimeout,
        int maxRedirects,
        boolean allowPrivateAddresses) {

    /** Largest {@link #maxBytes()}: the body lives in one array. */
    public static final long MAX_BYTES_LIMIT = Integer.MAX_VALUE - 16;
    /** Largest {@link #maxRedirects()}. */
    public static final int MAX_REDIRECTS_LIMIT = 20;

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

    /** Validates and normalises; see the parameters. */
    public FetchPolicy {
        Objects.requireNonNull(allowedHosts, "allowedHosts");
        Set<String> normalised = new LinkedHashSet<>();
        for (String entry : allowedHosts) {
            normalised.add(normaliseEntry(entry));
        }
        allowedHosts = Set.copyOf(normalised);
        if (maxBytes < 1 || maxBytes > MAX_BYTES_LIMIT) {
            throw new IllegalArgumentException("maxBytes must be between 1 and " + MAX_BYTES_LIMIT + ": " + maxBytes);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(totalTimeout, "totalTimeout");
        if (maxRedirects < 0 || maxRedirects > MAX_REDIRECTS_LIMIT) {
            throw new IllegalArgumentException(
                    "maxRedirects must be between 0 and " + MAX_REDIRECTS_LIMIT + ": " + maxRedirects);
        }
    }

    /** A production policy: loopback refused like every other non-public address. */
    public static FetchPolicy of(
            Set<String> allowedHosts, long maxBytes, Duration connectTimeout, Duration totalTimeout, int maxRedirects) {
        return new FetchPolicy(allowedHosts, maxBytes, connectTimeout, totalTimeout, maxRedirects, false);
    }

    /** Whether {@code host} (a host name as in a URI, any case) is on the allow-list. */
    public boolean allowsHost(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (allowedHosts.contains(h)) {
            return true;
        }
        for (String entry : allowedHosts) {
            if (entry.startsWith("*.")) {
                String suffix = entry.substring(1);
                if (h.length() > suffix.length() && h.endsWith(suffix)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String normaliseEntry(String entry) {
        if (entry == null) {
            throw new IllegalArgumentException("allowedHosts contains null");
        }
        String e = entry.toLowerCase(Locale.ROOT);
        boolean wildcard = e.startsWith("*.");
        String name = wildcard ? e.substring(2) : e;
        if (!HOST_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("allowedHosts entry '" + entry + "' is not a host name or *.domain"
                    + " (no scheme, port, path, spaces or IPv6 literals)");
        }
        if (wildcard && name.indexOf('.') < 0) {
            throw new IllegalArgumentException("allowedHosts wildcard '" + entry + "' is too broad: the part after"
                    + " '*.' needs at least two labels");
        }
        return e;
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        if (d.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException(name + " must be at most one hour: " + d);
        }
    }
}
