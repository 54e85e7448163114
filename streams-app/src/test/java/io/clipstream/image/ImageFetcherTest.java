package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import javax.net.ssl.SSLContext;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ImageFetcher} against an HTTPS server on 127.0.0.1 with a self-signed certificate for {@code images.test};
 * names resolve only through an in-test {@link HostResolver}, so no real DNS is used and nothing but loopback is
 * ever connected to. Every refusal asserts its exact reason code.
 */
class ImageFetcherTest {
    private static final String HOST = "images.test";
    private static final Duration CONNECT = Duration.ofSeconds(2);
    private static final Duration TOTAL = Duration.ofSeconds(10);
    /** Scheduling slack allowed on top of a timeout (two shared cores, TLS handshakes). */
    private static final long MARGIN_MS = 500;

    @TempDir
    static Path dir;

    private static LoopbackHttpsServer server;
    private static byte[] png;
    private static String pngSha256;

    @BeforeAll
    static void start() throws Exception {
        server = LoopbackHttpsServer.start(dir, HOST);
        png = makePng();
        pngSha256 = sha256(png);
        server.serve("/cat.png", png, "image/png");
        server.serve("/thousand", new byte[1000], "application/octet-stream");
        server.serve("/thousand-and-one", new byte[1001], "application/octet-stream");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Resolves only the names it was given; counts lookups per name. */
    static final class MapResolver implements HostResolver {
        private final Map<String, InetAddress[]> names = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

        MapResolver map(String host, InetAddress... addresses) {
            names.put(host, addresses);
            return this;
        }

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            lookups.computeIfAbsent(host, k -> new AtomicInteger()).incrementAndGet();
            InetAddress[] a = names.get(host);
            if (a == null) {
                throw new UnknownHostException(host);
            }
            return a.clone();
        }

        int lookups(String host) {
            AtomicInteger n = lookups.get(host);
            return n == null ? 0 : n.get();
        }

        int totalLookups() {
            return lookups.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // literals only: parsed, never looked up
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** An IPv4-mapped IPv6 address kept as an {@link Inet6Address} (the platform would turn it into IPv4). */
    private static InetAddress mapped6(int a, int b, int c, int d) throws UnknownHostException {
        byte[] bytes = new byte[16];
        bytes[10] = (byte) 0xff;
        bytes[11] = (byte) 0xff;
        bytes[12] = (byte) a;
        bytes[13] = (byte) b;
        bytes[14] = (byte) c;
        bytes[15] = (byte) d;
        InetAddress address = Inet6Address.getByAddress(null, bytes, -1);
        assertThat(address).isInstanceOf(Inet6Address.class);
        return address;
    }

    private static MapResolver loopbackResolver() {
        return new MapResolver().map(HOST, ip("127.0.0.1"));
    }

    private static FetchPolicy policy(long maxBytes, Duration total, int maxRedirects, boolean allowLoopback) {
        return new FetchPolicy(
                Set.of(HOST, "internal.test", "other.test", "*.cdn.test"),
                maxBytes,
                CONNECT,
                total,
                maxRedirects,
                allowLoopback);
    }

    /** The test policy: loopback allowed (tests only), 1 MiB, 10 s, 3 redirects. */
    private static FetchPolicy testPolicy() {
        return policy(1 << 20, TOTAL, 3, true);
    }

    private static ImageFetcher fetcher(FetchPolicy policy, HostResolver resolver) {
        return new ImageFetcher(policy, resolver, server.clientContext());
    }

    private static String url(String path) {
        return "https://" + HOST + ":" + server.port() + path;
    }

    private static void assertRejected(ThrowingCallable call, FetchRejectionReason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(FetchRejectedException.class, e -> {
            assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
            assertThat(e.getMessage()).startsWith(reason.code() + ": ");
        });
    }

    private static byte[] makePng() throws IOException {
        BufferedImage image = new BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, 32, 24);
        g.setColor(Color.BLUE);
        g.fillOval(4, 4, 16, 16);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "png", out)).isTrue();
        return out.toByteArray();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------------ codes

    @Test
    void codesAreStable() {
        assertThat(Arrays.stream(FetchRejectionReason.values()).map(FetchRejectionReason::code))
                .containsExactly(
                        "REFERENCE_INVALID",
                        "REFERENCE_SCHEME",
                        "REFERENCE_HOST_NOT_ALLOWED",
                        "REFERENCE_ADDRESS_REFUSED",
                        "REFERENCE_TOO_LARGE",
                        "REFERENCE_TIMEOUT",
                        "REFERENCE_HTTP_ERROR",
                        "REFERENCE_REDIRECTS",
                        "REFERENCE_CHECKSUM",
                        "REFERENCE_TLS",
                        "REFERENCE_FAILED");
    }

    // ---------------------------------------------------------------------------------------------- success

    @Test
    void fetchesARealPngOverHttpsThroughTheVettedAddress() throws Exception {
        MapResolver resolver = loopbackResolver();
        byte[] body = fetcher(testPolicy(), resolver).fetch(url("/cat.png"), pngSha256);

        assertThat(body).isEqualTo(png);
        assertThat(ImageFormat.sniff(body)).contains(ImageFormat.PNG);
        RgbImage pixels = new ImagePreprocessor(PreprocessSpec.clip(224)).preprocessPixels(body);
        assertThat(pixels).isNotNull();
        // Resolved once, through our resolver only: the platform knows no "images.test", so the connection can
        // only have gone to the address we vetted.
        assertThat(resolver.lookups(HOST)).isEqualTo(1);
    }

    @Test
    void checksumIsOptionalAndCaseInsensitiveAndHostIsCaseInsensitive() throws Exception {
        ImageFetcher fetcher = fetcher(testPolicy(), loopbackResolver());
        assertThat(fetcher.fetch(url("/cat.png"), null)).isEqualTo(png);
        assertThat(fetcher.fetch(url("/cat.png").replace(HOST, "IMAGES.Test"), pngSha256.toUpperCase(Locale.ROOT)))
                .isEqualTo(png);
    }

    @Test
    void chunkedBodyWithinTheCapIsAssembled() throws Exception {
        server.handle("/chunked-small", exchange -> {
            exchange.sendResponseHeaders(200, 0); // 0: chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < png.length; i += 100) {
                    out.write(png, i, Math.min(100, png.length - i));
                    out.flush();
                }
            }
        });
        assertThat(fetcher(testPolicy(), loopbackResolver()).fetch(url("/chunked-small"), pngSha256))
                .isEqualTo(png);
    }

    @Test
    void bodyOfExactlyTheCapIsAccepted() throws Exception {
        assertThat(fetcher(policy(1000, TOTAL, 0, true), loopbackResolver()).fetch(url("/thousand"), null))
                .hasSize(1000);
    }

    // ---------------------------------------------------------------------------------------------- scheme

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://images.test/cat.png",
                "HTTP://images.test/cat.png",
                "ftp://images.test/cat.png",
                "file:///etc/passwd",
                "gopher://images.test/",
                "jar:https://images.test/a.jar!/x",
                "images.test/cat.png",
                "//images.test/cat.png",
                "data:image/png;base64,AAAA"
            })
    void nonHttpsSchemesAreRefusedBeforeAnyLookup(String uri) {
        MapResolver resolver = loopbackResolver();
        assertRejected(() -> fetcher(testPolicy(), resolver).fetch(uri, null), FetchRejectionReason.REFERENCE_SCHEME);
        assertThat(resolver.totalLookups()).isZero();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "https://",
                "https:///cat.png",
                "https://user:pw@images.test/cat.png",
                "https://images.test:0/cat.png",
                "https://images.test:70000/cat.png",
                "https://images.test/a b",
                "https://a_b.test/x",
                "https://images.test/\r\nX-Injected: 1"
            })
    void malformedUrisAreInvalid(String uri) {
        MapResolver resolver = loopbackResolver();
        assertRejected(() -> fetcher(testPolicy(), resolver).fetch(uri, null), FetchRejectionReason.REFERENCE_INVALID);
        assertThat(resolver.totalLookups()).isZero();
    }

    @Test
    void malformedExpectedChecksumIsInvalid() {
        assertRejected(
                () -> fetcher(testPolicy(), loopbackResolver()).fetch(url("/cat.png"), "abc"),
                FetchRejectionReason.REFERENCE_INVALID);
    }

    // -------------------------------------------------------------------------------------------- allow-list

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://evil.test/cat.png",
                "https://images.test.evil.test/cat.png",
                "https://evilimages.test/cat.png",
                "https://cdn.test/cat.png",
                "https://images.test./cat.png",
                "https://127.0.0.1/cat.png",
                "https://[::1]/cat.png",
                "https://169.254.169.254/latest/meta-data/"
            })
    void hostsNotOnTheAllowListAreRefusedBeforeAnyLookup(String uri) {
        MapResolver resolver = loopbackResolver().map("evil.test", ip("127.0.0.1"));
        assertRejected(
                () -> fetcher(testPolicy(), resolver).fetch(uri, null),
                FetchRejectionReason.REFERENCE_HOST_NOT_ALLOWED);
        assertThat(resolver.totalLookups()).isZero();
    }

    @Test
    void allowListMatchesExactHostsAndSubdomainWildcards() {
        FetchPolicy p = FetchPolicy.of(
                Set.of("Images.Example.COM", "*.cdn.example.com"), 10, Duration.ofSeconds(1), Duration.ofSeconds(1), 0);
        assertThat(p.allowedHosts()).containsExactlyInAnyOrder("images.example.com", "*.cdn.example.com");
        assertThat(p.allowsHost("images.example.com")).isTrue();
        assertThat(p.allowsHost("IMAGES.example.com")).isTrue();
        assertThat(p.allowsHost("a.cdn.example.com")).isTrue();
        assertThat(p.allowsHost("a.b.cdn.example.com")).isTrue();
        assertThat(p.allowsHost("cdn.example.com")).isFalse();
        assertThat(p.allowsHost("evilcdn.example.com")).isFalse();
        assertThat(p.allowsHost("example.com")).isFalse();
        assertThat(p.allowsHost("x.images.example.com")).isFalse();
        assertThat(p.allowsHost("images.example.com.evil.test")).isFalse();
        assertThat(p.allowsHost("images.example.com.")).isFalse();
        assertThat(p.allowsHost("")).isFalse();
        assertThat(p.allowsHost(null)).isFalse();
        assertThat(FetchPolicy.of(Set.of(), 10, Duration.ofSeconds(1), Duration.ofSeconds(1), 0)
                        .allowsHost("images.example.com"))
                .isFalse();
    }

    @Test
    void policyIsValidated() {
        Duration s = Duration.ofSeconds(1);
        assertThatThrownBy(() -> FetchPolicy.of(null, 10, s, s, 0)).isInstanceOf(NullPointerException.class);
        for (String bad : new String[] {
            "*",
            "*.com",
            "https://a.test",
            "a.test:443",
            "a.test/x",
            " a.test",
            "",
            "*.*.a.test",
            "a..test",
            "[::1]",
            "a*.test.com"
        }) {
            assertThatThrownBy(() -> FetchPolicy.of(Set.of(bad), 10, s, s, 0))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> FetchPolicy.of(Set.of(HOST), 0, s, s, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FetchPolicy.of(Set.of(HOST), FetchPolicy.MAX_BYTES_LIMIT + 1, s, s, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FetchPolicy.of(Set.of(HOST), 10, Duration.ZERO, s, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FetchPolicy.of(Set.of(HOST), 10, s, Duration.ofMillis(-1), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FetchPolicy.of(Set.of(HOST), 10, s, null, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> FetchPolicy.of(Set.of(HOST), 10, s, s, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FetchPolicy.of(Set.of(HOST), 10, s, s, 21))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(FetchPolicy.of(Set.of(HOST), 10, s, s, 0).allowPrivateAddresses())
                .isFalse();
    }

    // ---------------------------------------------------------------------------------------------- addresses

    @ParameterizedTest
    @ValueSource(
            strings = {
                "127.0.0.1",
                "127.255.0.9",
                "10.0.0.1",
                "10.255.255.255",
                "172.16.0.1",
                "172.31.255.255",
                "192.168.1.1",
                "169.254.169.254",
                "169.254.0.1",
                "::1",
                "fe80::1",
                "::ffff:127.0.0.1",
                "0.0.0.0",
                "::",
                "100.64.0.1",
                "100.127.255.255",
                "100.100.100.200",
                "fc00::1",
                "fd00:ec2::254",
                "fec0::1",
                "ff02::1",
                "224.0.0.1",
                "239.255.255.250",
                "255.255.255.255",
                "240.0.0.1",
                "192.0.0.170",
                "198.18.0.1",
                "192.0.2.1",
                "::ffff:10.0.0.1",
                "::ffff:169.254.169.254",
                "64:ff9b::a9fe:a9fe",
                "64:ff9b::7f00:1",
                "2002:a00:1::1",
                "2002:7f00:1::",
                "::10.0.0.1",
                "2001:0:4136:e378::1",
                "2001:db8::1",
                "100::1"
            })
    void everyRefusedAddressClassIsRefused(String literal) {
        InetAddress address = ip(literal);
        // Guard first: the fetch below must never try to connect anywhere but loopback.
        assertThat(AddressPolicy.isRefused(address, false)).as(literal).isTrue();
        MapResolver resolver = new MapResolver().map(HOST, address);
        assertRejected(
                () -> fetcher(policy(1 << 20, TOTAL, 3, false), resolver).fetch("https://images.test/x.png", null),
                FetchRejectionReason.REFERENCE_ADDRESS_REFUSED);
        assertThat(resolver.lookups(HOST)).isEqualTo(1);
    }

    @Test
    void ipv4MappedIpv6KeptAsIpv6IsJudgedByItsIpv4() throws Exception {
        for (InetAddress a : List.of(
                mapped6(127, 0, 0, 1),
                mapped6(10, 1, 2, 3),
                mapped6(169, 254, 169, 254),
                mapped6(0, 0, 0, 0),
                mapped6(100, 64, 0, 1),
                mapped6(192, 168, 0, 1))) {
            assertThat(AddressPolicy.isRefused(a, false)).as(a.toString()).isTrue();
            MapResolver resolver = new MapResolver().map(HOST, a);
            assertRejected(
                    () -> fetcher(policy(1 << 20, TOTAL, 3, false), resolver).fetch("https://images.test/x.png", null),
                    FetchRejectionReason.REFERENCE_ADDRESS_REFUSED);
        }
        assertThat(AddressPolicy.isRefused(mapped6(127, 0, 0, 1), true)).isFalse();
        assertThat(AddressPolicy.isRefused(mapped6(10, 0, 0, 1), true)).isTrue();
        assertThat(AddressPolicy.isRefused(mapped6(8, 8, 8, 8), false)).isFalse();
    }

    @Test
    void publicAddressesAreNotRefused() {
        // Pure policy checks: nothing is connected to.
        for (String literal : List.of(
                "8.8.8.8",
                "1.1.1.1",
                "93.184.216.34",
                "172.15.255.255",
                "172.32.0.1",
                "100.63.255.255",
                "100.128.0.1",
                "169.253.255.255",
                "169.255.0.1",
                "192.167.255.255",
                "192.169.0.1",
                "11.0.0.1",
                "9.255.255.255",
                "223.255.255.255",
                "2606:4700:4700::1111",
                "2a00:1450:4001::1",
                "::ffff:8.8.8.8",
                "64:ff9b::808:808",
                "2002:808:808::1")) {
            assertThat(AddressPolicy.refusal(ip(literal), false)).as(literal).isNull();
        }
    }

    @Test
    void theTestFlagAdmitsLoopbackOnly() {
        assertThat(AddressPolicy.isRefused(ip("127.0.0.1"), true)).isFalse();
        assertThat(AddressPolicy.isRefused(ip("::1"), true)).isFalse();
        for (String literal : List.of(
                "10.0.0.1",
                "172.16.0.1",
                "192.168.0.1",
                "169.254.169.254",
                "fe80::1",
                "fc00::1",
                "0.0.0.0",
                "::",
                "100.64.0.1",
                "224.0.0.1")) {
            InetAddress address = ip(literal);
            assertThat(AddressPolicy.isRefused(address, true)).as(literal).isTrue();
            MapResolver resolver = new MapResolver().map(HOST, address);
            assertRejected(
                    () -> fetcher(testPolicy(), resolver).fetch(url("/cat.png"), null),
                    FetchRejectionReason.REFERENCE_ADDRESS_REFUSED);
        }
    }

    @Test
    void aHostIsRefusedWhenAnyOfItsAddressesIsRefused() {
        int before = server.requests();
        MapResolver resolver = new MapResolver().map(HOST, ip("127.0.0.1"), ip("10.0.0.1"));
        assertRejected(
                () -> fetcher(testPolicy(), resolver).fetch(url("/cat.png"), null),
                FetchRejectionReason.REFERENCE_ADDRESS_REFUSED);
        MapResolver reversed = new MapResolver().map(HOST, ip("169.254.169.254"), ip("127.0.0.1"));
        assertRejected(
                () -> fetcher(testPolicy(), reversed).fetch(url("/cat.png"), null),
                FetchRejectionReason.REFERENCE_ADDRESS_REFUSED);
        assertThat(server.requests()).isEqualTo(before);
    }

    @Test
    void aNameThatDoesNotResolveFails() {
        assertRejected(
                () -> fetcher(testPolicy(), new MapResolver()).fetch(url("/cat.png"), null),
                FetchRejectionReason.REFERENCE_FAILED);
        assertRejected(
                () -> fetcher(testPolicy(), new MapResolver().map(HOST)).fetch(url("/cat.png"), null),
                FetchRejectionReason.REFERENCE_FAILED);
    }

    // ---------------------------------------------------------------------------------------------- redirects

    @Test
    void redirectsAreFollowedAndEveryHopIsResolvedAgain() throws Exception {
        server.redirect("/hop1", 302, "/hop2");
        server.redirect("/hop2", 301, "https://a.cdn.test:" + server.port() + "/hop3");
        server.redirect("/hop3", 308, url("/cat.png"));
        MapResolver resolver = loopbackResolver().map("a.cdn.test", ip("127.0.0.1"));
        // a.cdn.test is allowed by *.cdn.test, but the certificate names only images.test
        assertRejected(
                () -> fetcher(testPolicy(), resolver).fetch(url("/hop1"), null), FetchRejectionReason.REFERENCE_TLS);

        server.redirect("/hop2", 307, url("/hop3"));
        MapResolver counting = loopbackResolver();
        assertThat(fetcher(testPolicy(), counting).fetch(url("/hop1"), pngSha256))
                .isEqualTo(png);
        assertThat(counting.lookups(HOST)).isEqualTo(4);
    }

    @Test
    void redirectToAPrivateAddressIsRefused() {
        for (String target : List.of("169.254.169.254", "10.0.0.1", "192.168.0.10", "fd00:ec2::254")) {
            InetAddress address = ip(target);
            assertThat(AddressPolicy.isRefused(address, true)).isTrue(); // guard: never connected to
            server.redirect("/to-internal", 302, "https://internal.test/latest/meta-data/");
            MapResolver resolver = loopbackResolver().map("internal.test", address);
            assertRejected(
                    () -> fetcher(testPolicy(), resolver).fetch(url("/to-internal"), null),
                    FetchRejectionReason.REFERENCE_ADDRESS_REFUSED);
            assertThat(resolver.lookups("internal.test")).isEqualTo(1);
        }
    }

    @Test
    void redirectToPlainHttpOrAnUnlistedHostIsRefused() {
        server.redirect("/to-http", 302, "http://images.test/cat.png");
        server.redirect("/to-evil", 302, "https://evil.test/cat.png");
        server.redirect("/to-literal", 302, "https://127.0.0.1:" + server.port() + "/cat.png");
        MapResolver resolver = loopbackResolver().map("evil.test", ip("127.0.0.1"));
        assertRejected(
                () -> fetcher(testPolicy(), resolver).fetch(url("/to-http"), null),
                FetchRejectionReason.REFERENCE_SCHEME);
        assertRejected(
                () -> fetcher(testPolicy(), resolver).fetch(url("/to-evil"), null),
                FetchRejectionReason.REFERENCE_HOST_NOT_ALLOWED);
        assertRejected(
                () -> fetcher(testPolicy(), resolver).fetch(url("/to-literal"), null),
                FetchRejectionReason.REFERENCE_HOST_NOT_ALLOWED);
        assertThat(resolver.lookups("evil.test")).isZero();
    }

    @Test
    void tooManyRedirectsAreRefused() throws Exception {
        server.redirect("/loop", 302, "/loop");
        assertRejected(
                () -> fetcher(testPolicy(), loopbackResolver()).fetch(url("/loop"), null),
                FetchRejectionReason.REFERENCE_REDIRECTS);
        server.redirect("/once", 302, "/cat.png");
        assertRejected(
                () -> fetcher(policy(1 << 20, TOTAL, 0, true), loopbackResolver())
                        .fetch(url("/once"), null),
                FetchRejectionReason.REFERENCE_REDIRECTS);
        assertThat(fetcher(policy(1 << 20, TOTAL, 1, true), loopbackResolver()).fetch(url("/once"), null))
                .isEqualTo(png);
    }

    @Test
    void aRedirectWithoutLocationIsAnHttpError() {
        server.handle("/no-location", exchange -> exchange.sendResponseHeaders(302, -1));
        assertRejected(
                () -> fetcher(testPolicy(), loopbackResolver()).fetch(url("/no-location"), null),
                FetchRejectionReason.REFERENCE_HTTP_ERROR);
    }

    // ---------------------------------------------------------------------------------------------- size cap

    @Test
    void contentLengthOverTheCapIsRefused() {
        assertRejected(
                () -> fetcher(policy(1000, TOTAL, 0, true), loopbackResolver()).fetch(url("/thousand-and-one"), null),
                FetchRejectionReason.REFERENCE_TOO_LARGE);
        // A huge declared length is refused from the header, without waiting for (or allocating) the body.
        server.handle("/declares-huge", exchange -> {
            exchange.sendResponseHeaders(200, 50L << 30);
            exchange.getResponseBody().write(new byte[16]); // the server sends its headers with the first bytes
            exchange.getResponseBody().flush();
            sleepQuietly(30_000);
        });
        long start = System.nanoTime();
        assertRejected(
                () -> fetcher(testPolicy(), loopbackResolver()).fetch(url("/declares-huge"), null),
                FetchRejectionReason.REFERENCE_TOO_LARGE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void streamedBodyWithoutLengthIsCutOffAtTheCap() {
        AtomicInteger written = new AtomicInteger();
        server.handle("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, no Content-Length
            byte[] chunk = new byte[16 * 1024];
            try (OutputStream out = exchange.getResponseBody()) {
                while (written.get() < (256 << 20)) { // stops once the client hangs up (or at 256 MiB)
                    out.write(chunk);
                    out.flush();
                    written.addAndGet(chunk.length);
                }
            } catch (IOException expected) {
                // the client closed the connection
            }
        });
        long start = System.nanoTime();
        assertRejected(
                () -> fetcher(policy(100_000, TOTAL, 0, true), loopbackResolver())
                        .fetch(url("/endless"), null),
                FetchRejectionReason.REFERENCE_TOO_LARGE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    // ---------------------------------------------------------------------------------------------- timeouts

    @Test
    void aServerThatNeverAnswersTimesOutWithinTheTotalTimeout() {
        server.handle("/silent", exchange -> sleepQuietly(30_000));
        Duration total = Duration.ofMillis(800);
        long start = System.nanoTime();
        assertRejected(
                () -> fetcher(policy(1 << 20, total, 0, true), loopbackResolver())
                        .fetch(url("/silent"), null),
                FetchRejectionReason.REFERENCE_TIMEOUT);
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(elapsed).isGreaterThanOrEqualTo(total.toMillis() - 50).isLessThan(total.toMillis() + MARGIN_MS);
    }

    @Test
    void aTricklingServerIsStoppedAtTheTotalDeadlineNotPerRead() {
        server.handle("/trickle", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 1000; i++) {
                    out.write(0x42);
                    out.flush();
                    sleepQuietly(50); // every read succeeds well within any per-read timeout
                }
            } catch (IOException expected) {
                // the client closed the connection
            }
        });
        Duration total = Duration.ofMillis(1000);
        long start = System.nanoTime();
        assertRejected(
                () -> fetcher(policy(1 << 20, total, 0, true), loopbackResolver())
                        .fetch(url("/trickle"), null),
                FetchRejectionReason.REFERENCE_TIMEOUT);
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(elapsed).isLessThan(total.toMillis() + MARGIN_MS);
    }

    @Test
    void aHangingResolverTimesOutWithinTheTotalTimeout() {
        HostResolver slow = host -> {
            sleepQuietly(10_000);
            return new InetAddress[] {ip("127.0.0.1")};
        };
        Duration total = Duration.ofMillis(300);
        long start = System.nanoTime();
        assertRejected(
                () -> fetcher(policy(1 << 20, total, 0, true), slow).fetch(url("/cat.png"), null),
                FetchRejectionReason.REFERENCE_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).isLessThan(total.toMillis() + MARGIN_MS);
    }

    // ---------------------------------------------------------------------------------------------- responses

    @Test
    void checksumMismatchIsRefused() {
        String wrong = "0".repeat(64);
        assertRejected(
                () -> fetcher(testPolicy(), loopbackResolver()).fetch(url("/cat.png"), wrong),
                FetchRejectionReason.REFERENCE_CHECKSUM);
    }

    @Test
    void non2xxStatusesAreHttpErrorsAndQueriesStayOutOfMessages() {
        server.handle("/boom", exchange -> exchange.sendResponseHeaders(500, -1));
        server.handle("/not-modified", exchange -> exchange.sendResponseHeaders(304, -1));
        ImageFetcher fetcher = fetcher(testPolicy(), loopbackResolver());
        assertRejected(() -> fetcher.fetch(url("/boom"), null), FetchRejectionReason.REFERENCE_HTTP_ERROR);
        assertRejected(() -> fetcher.fetch(url("/not-modified"), null), FetchRejectionReason.REFERENCE_HTTP_ERROR);
        assertThatThrownBy(() -> fetcher.fetch(url("/missing?X-Amz-Signature=SECRET123"), null))
                .isInstanceOfSatisfying(FetchRejectedException.class, e -> {
                    assertThat(e.reason()).isEqualTo(FetchRejectionReason.REFERENCE_HTTP_ERROR);
                    assertThat(e.getMessage()).contains("404").doesNotContain("SECRET123");
                });
    }

    @Test
    void compressedResponsesAreRefused() {
        server.handle("/gzip", exchange -> {
            exchange.getResponseHeaders().put("Content-Encoding", List.of("gzip"));
            exchange.sendResponseHeaders(200, 4);
            exchange.getResponseBody().write(new byte[4]);
        });
        assertRejected(
                () -> fetcher(testPolicy(), loopbackResolver()).fetch(url("/gzip"), null),
                FetchRejectionReason.REFERENCE_FAILED);
    }

    // ---------------------------------------------------------------------------------- hand-framed responses

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] rawFetch(byte[] response, boolean closeAfter, FetchPolicy policy) throws Exception {
        try (LoopbackHttpsServer.RawServer raw = server.raw(response, closeAfter)) {
            return fetcher(policy, loopbackResolver()).fetch("https://images.test:" + raw.port() + "/x", null);
        }
    }

    @Test
    void aBodyDelimitedByTheConnectionCloseIsReadAndCapped() throws Exception {
        byte[] head = ascii("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n");
        assertThat(rawFetch(concat(head, png), true, testPolicy())).isEqualTo(png);
        assertThat(rawFetch(concat(head, new byte[1000]), true, policy(1000, TOTAL, 0, true)))
                .hasSize(1000);
        assertRejected(
                () -> rawFetch(concat(head, new byte[1001]), true, policy(1000, TOTAL, 0, true)),
                FetchRejectionReason.REFERENCE_TOO_LARGE);
        // Over the cap and never closed: refused at cap + 1 without waiting for the end.
        long start = System.nanoTime();
        assertRejected(
                () -> rawFetch(concat(head, new byte[200_000]), false, policy(100_000, TOTAL, 0, true)),
                FetchRejectionReason.REFERENCE_TOO_LARGE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void chunkedFramingIsParsedStrictly() throws Exception {
        byte[] ok = ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n");
        assertThat(rawFetch(ok, false, testPolicy())).isEqualTo(ascii("abcde"));
        assertRejected(
                () -> rawFetch(
                        ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "FFFFFFFFFFFFFFFFFF\r\n"),
                        true,
                        testPolicy()),
                FetchRejectionReason.REFERENCE_FAILED);
        assertRejected(
                () -> rawFetch(
                        ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "7FFFFFFFFFFFFFFF\r\n"),
                        true,
                        testPolicy()),
                FetchRejectionReason.REFERENCE_TOO_LARGE);
        assertRejected(
                () -> rawFetch(
                        ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + "3\r\nabcX\r\n0\r\n\r\n"),
                        true,
                        testPolicy()),
                FetchRejectionReason.REFERENCE_FAILED);
        assertRejected(
                () -> rawFetch(
                        ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), true, testPolicy()),
                FetchRejectionReason.REFERENCE_FAILED);
    }

    @Test
    void malformedResponsesFail() {
        for (String response : List.of(
                "",
                "garbage\r\n\r\n",
                "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX: " + "a".repeat(10_000) + "\r\n\r\n",
                "HTTP/1.1 200 OK\r\n" + "X-A: b\r\n".repeat(200) + "\r\n")) {
            assertRejected(() -> rawFetch(ascii(response), true, testPolicy()), FetchRejectionReason.REFERENCE_FAILED);
        }
    }

    @Test
    void interimResponsesAreSkipped() throws Exception {
        byte[] response = ascii(
                "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n" + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(rawFetch(response, false, testPolicy())).isEqualTo(ascii("hi"));
    }

    @Test
    void aServerThatNeverCompletesTheHandshakeTimesOut() {
        Duration total = Duration.ofMillis(600);
        long start = System.nanoTime();
        assertRejected(
                () -> rawFetch(null, false, policy(1 << 20, total, 0, true)), FetchRejectionReason.REFERENCE_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start).toMillis()).isLessThan(total.toMillis() + MARGIN_MS);
    }

    // ---------------------------------------------------------------------------------------------- TLS, I/O

    @Test
    void aCertificateForAnotherNameIsRefused() {
        // other.test is allowed and resolves to the server, but the certificate names images.test only.
        MapResolver resolver = new MapResolver().map("other.test", ip("127.0.0.1"));
        assertRejected(
                () -> fetcher(testPolicy(), resolver).fetch("https://other.test:" + server.port() + "/cat.png", null),
                FetchRejectionReason.REFERENCE_TLS);
    }

    @Test
    void anUntrustedCertificateIsRefused() throws Exception {
        ImageFetcher defaultTrust = new ImageFetcher(testPolicy(), loopbackResolver(), SSLContext.getDefault());
        assertRejected(() -> defaultTrust.fetch(url("/cat.png"), null), FetchRejectionReason.REFERENCE_TLS);
    }

    @Test
    void aRefusedConnectionFails() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        int freePort = port;
        assertRejected(
                () -> fetcher(testPolicy(), loopbackResolver()).fetch("https://images.test:" + freePort + "/x", null),
                FetchRejectionReason.REFERENCE_FAILED);
    }
}
