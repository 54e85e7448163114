package io.clipstream.image;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which IP addresses an image reference may be fetched from: only publicly routable unicast ones. Refused are
 * addresses that reach the host itself, the local or cloud network, or special-purpose ranges:
 *
 * <ul>
 *   <li>IPv4: 0.0.0.0/8 (unspecified, "this network"), 10/8, 172.16/12, 192.168/16 (private), 100.64/10
 *       (carrier-grade NAT, also Alibaba's metadata service), 127/8 (loopback), 169.254/16 (link-local, including
 *       the 169.254.169.254 cloud metadata service), 192.0.0/24 (IETF protocol assignments), 192.0.2/24,
 *       198.51.100/24, 203.0.113/24 (documentation), 192.88.99/24 (6to4 relay), 198.18/15 (benchmarking),
 *       224/4 (multicast), 240/4 (reserved, including the 255.255.255.255 broadcast).</li>
 *   <li>IPv6: :: (unspecified), ::1 (loopback), ::/96 (deprecated IPv4-compatible), fc00::/7 (unique local,
 *       including AWS's fd00:ec2::254 metadata service), fe80::/10 (link-local), fec0::/10 (deprecated site-local),
 *       ff00::/8 (multicast), 100::/64 (discard), 2001::/32 (Teredo), 2001:db8::/32 (documentation),
 *       64:ff9b:1::/48 (local NAT64).</li>
 *   <li>IPv6 forms that embed an IPv4 address are judged by that address: ::ffff:0:0/96 (IPv4-mapped),
 *       64:ff9b::/96 (well-known NAT64) and 2002::/16 (6to4).</li>
 * </ul>
 *
 * <p>The checks work on the raw address bytes, not on {@link InetAddress#isSiteLocalAddress()} and friends, which
 * miss IPv6 unique-local, CGNAT and the embedded-IPv4 forms.
 */
public final class AddressPolicy {

    private record Block(byte[] prefix, int bits, String label, boolean loopback) {
        boolean contains(byte[] address) {
            if (address.length != prefix.length) {
                return false;
            }
            int full = bits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != prefix[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (prefix[full] & mask);
        }
    }

    private static final List<Block> IPV4 = List.of(
            block("0.0.0.0", 8, "unspecified / this network", false),
            block("10.0.0.0", 8, "private", false),
            block("100.64.0.0", 10, "carrier-grade NAT", false),
            block("127.0.0.0", 8, "loopback", true),
            block("169.254.169.254", 32, "cloud metadata service", false),
            block("169.254.0.0", 16, "link-local", false),
            block("172.16.0.0", 12, "private", false),
            block("192.0.0.0", 24, "IETF protocol assignments", false),
            block("192.0.2.0", 24, "documentation", false),
            block("192.88.99.0", 24, "6to4 relay anycast", false),
            block("192.168.0.0", 16, "private", false),
            block("198.18.0.0", 15, "benchmarking", false),
            block("198.51.100.0", 24, "documentation", false),
            block("203.0.113.0", 24, "documentation", false),
            block("224.0.0.0", 4, "multicast", false),
            block("240.0.0.0", 4, "reserved / broadcast", false));

    private static final List<Block> IPV6 = List.of(
            block("::", 128, "unspecified", false),
            block("::1", 128, "loopback", true),
            block("::", 96, "IPv4-compatible (deprecated)", false),
            block("64:ff9b:1::", 48, "local-use NAT64", false),
            block("100::", 64, "discard-only", false),
            block("2001:db8::", 32, "documentation", false),
            block("2001::", 32, "Teredo", false),
            block("fc00::", 7, "unique local (private)", false),
            block("fe80::", 10, "link-local", false),
            block("fec0::", 10, "site-local (deprecated)", false),
            block("ff00::", 8, "multicast", false));

    private AddressPolicy() {}

    /**
     * Why {@code address} must not be fetched from, or {@code null} when it is a public unicast address.
     *
     * @param allowLoopback accept 127/8 and ::1 (and their IPv4-mapped forms); for tests that serve over loopback
     *     only, never in production. Every other refused class stays refused.
     */
    public static String refusal(InetAddress address, boolean allowLoopback) {
        return refusal(address.getAddress(), allowLoopback);
    }

    /** Whether {@code address} is refused, as {@link #refusal(InetAddress, boolean)}. */
    public static boolean isRefused(InetAddress address, boolean allowLoopback) {
        return refusal(address, allowLoopback) != null;
    }

    private static String refusal(byte[] a, boolean allowLoopback) {
        if (a.length == 4) {
            return match(IPV4, a, allowLoopback);
        }
        if (a.length != 16) {
            return "unknown address family";
        }
        byte[] embedded = embeddedIpv4(a);
        if (embedded != null) {
            String inner = match(IPV4, embedded, allowLoopback);
            return inner == null ? null : "IPv4 " + inner + " embedded in IPv6";
        }
        return match(IPV6, a, allowLoopback);
    }

    /** The IPv4 address inside an IPv4-mapped, well-known NAT64 or 6to4 address; else null. */
    private static byte[] embeddedIpv4(byte[] a) {
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= a[i] == 0;
        }
        mapped &= a[10] == (byte) 0xff && a[11] == (byte) 0xff;
        boolean nat64 = a[0] == 0 && a[1] == 0x64 && a[2] == (byte) 0xff && a[3] == (byte) 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = a[i] == 0;
        }
        if (mapped || nat64) {
            return new byte[] {a[12], a[13], a[14], a[15]};
        }
        if (a[0] == 0x20 && a[1] == 0x02) {
            return new byte[] {a[2], a[3], a[4], a[5]};
        }
        return null;
    }

    private static String match(List<Block> blocks, byte[] a, boolean allowLoopback) {
        for (Block b : blocks) {
            if (b.contains(a)) {
                return b.loopback() && allowLoopback ? null : b.label();
            }
        }
        return null;
    }

    private static Block block(String literal, int bits, String label, boolean loopback) {
        try {
            // IP literals only: getByName parses them without any lookup. (Not used for ::ffff: forms, which the
            // platform turns into IPv4.)
            return new Block(InetAddress.getByName(literal).getAddress(), bits, label, loopback);
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
