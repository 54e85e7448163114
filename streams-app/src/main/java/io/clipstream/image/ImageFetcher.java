package io.clipstream.image;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.DefaultHostnameVerifier;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.ParseException;
import org.apache.hc.core5.http.TruncatedChunkException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultClassicHttpResponseFactory;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParserFactory;
import org.apache.hc.core5.http.io.EofSensorInputStream;
import org.apache.hc.core5.http.message.BasicLineParser;
import org.apache.hc.core5.http.message.StatusLine;
import org.apache.hc.core5.util.CharArrayBuffer;
import org.apache.hc.core5.util.Timeout;

/**
 * Fetches images given by reference ({@code ImageReference{uri, sha256}}) without becoming a server-side request
 * forgery (SSRF) gadget: only {@code https}, only hosts on the {@link FetchPolicy#allowedHosts() allow-list}, only
 * public addresses ({@link AddressPolicy}), bounded in size, time and redirects, and optionally checked against a
 * SHA-256.
 *
 * <h2>Address pinning over Apache HttpClient 5</h2>
 *
 * <p>Checking a host's addresses and then handing the URL to an HTTP client that resolves the name again when it
 * connects is not safe: a DNS answer that changes between the check and the connect (DNS rebinding, or a resolver
 * returning several records) could still reach 127.0.0.1 or 169.254.169.254. So each hop here:
 *
 * <ol>
 *   <li>parses the URI and requires {@code https}, then requires the host to be on the allow-list;</li>
 *   <li>resolves the host once, through the injectable {@link HostResolver}, and refuses the hop if ANY of the
 *       addresses is refused, so a name with one public and one private record is refused outright;</li>
 *   <li>pins exactly those {@link InetAddress} objects for the hop: the client's {@link DnsResolver} returns them
 *       for that host name (and fails for any other name), so the connection can only go to a vetted address and
 *       nothing is resolved a second time. The client uses no proxy (system properties are not read);</li>
 *   <li>upgrades the socket to TLS with the host name from the URI, so SNI names that host and the certificate
 *       is checked against it, both by JSSE ({@code setEndpointIdentificationAlgorithm("HTTPS")}) and by
 *       HttpClient's {@link DefaultHostnameVerifier}; a certificate not valid for the name in the URI fails
 *       ({@link FetchRejectionReason#REFERENCE_TLS});</li>
 *   <li>sends one {@code GET} with {@code Connection: close} and {@code Accept-Encoding: identity}, parsed with
 *       bounded header lines and counts and a strict header line parser.</li>
 * </ol>
 *
 * <p>Automatic redirects are off. Redirects (301, 302, 303, 307, 308) are followed here, at most
 * {@link FetchPolicy#maxRedirects()} times, and every hop goes through all the steps above again: scheme,
 * allow-list, resolution and address vetting. Cookies, authentication and retries are off, so nothing from one hop
 * is carried to the next.
 *
 * <h2>Limits</h2>
 *
 * <p>Never more than {@code maxBytes + 1} body bytes are held (a Content-Length over the cap is refused before the
 * body is read; chunked and close-delimited bodies are cut off at the cap, and the connection is aborted rather
 * than drained). Each connect is bounded by {@link FetchPolicy#connectTimeout()}; resolution runs on a helper thread
 * so that even a hanging resolver is bounded; every socket read and the TLS handshake are bounded by what is left
 * of {@link FetchPolicy#totalTimeout()}, which covers the whole fetch including all hops, and a watchdog aborts the
 * request at the deadline, so a server trickling one byte at a time cannot hold a thread longer than the deadline
 * (plus scheduling slack). The request carries no credentials, and exception messages name the URI without its
 * query string, which may hold signed tokens.
 *
 * <p>Instances are thread-safe; {@link #close()} releases the HTTP client.
 */
public final class ImageFetcher implements AutoCloseable {

    private static final int MAX_URI_LENGTH = 8192;
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADERS = 128;
    private static final int MAX_CONNECTIONS = 64;
    private static final int INITIAL_BODY_BUFFER = 64 * 1024;
    private static final String USER_AGENT = "ClipStream-ImageFetcher/1";
    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern TRUNCATED_CHUNK = Pattern.compile("expected size: (\\d+); actual size: (\\d+)");
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * Runs host resolution so a hanging resolver cannot outlive the deadline. Bounded; when every thread is busy
     * the caller resolves itself (then only the resolver's own timeouts bound it).
     */
    private static final ThreadPoolExecutor RESOLVERS = resolverPool();

    /** Aborts requests that reach the total deadline. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    /**
     * The hop being executed on this thread. HttpClient's classic API connects on the calling thread, so the
     * {@link DnsResolver} and the timeout resolvers read the vetted addresses and the deadline from here.
     */
    private static final ThreadLocal<Pin> PINNED = new ThreadLocal<>();

    private final FetchPolicy policy;
    private final HostResolver resolver;
    private final SSLContext sslContext;
    private final CloseableHttpClient client;

    /** A fetcher using the platform resolver and the JVM's default trust store. */
    public ImageFetcher(FetchPolicy policy) {
        this(policy, HostResolver.system(), null);
    }

    /**
     * A fetcher with a chosen resolver and TLS context.
     *
     * @param resolver resolves host names to the addresses that are vetted and connected to
     * @param sslContext the TLS context (trust store) to use; null uses {@link SSLContext#getDefault()}
     */
    public ImageFetcher(FetchPolicy policy, HostResolver resolver, SSLContext sslContext) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        try {
            this.sslContext = sslContext != null ? sslContext : SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context", e);
        }
        this.client = buildClient();
    }

    /** The policy this fetcher enforces. */
    public FetchPolicy policy() {
        return policy;
    }

    /** Releases the HTTP client and its connections. */
    @Override
    public void close() {
        closeQuietly(client);
    }

    /**
     * Fetches the image at {@code uri}.
     *
     * @param uri an {@code https} URI whose host is on the allow-list
     * @param expectedSha256 the expected SHA-256 of the bytes as 64 hex digits (any case), or null to skip the check
     * @return the body, at most {@link FetchPolicy#maxBytes()} bytes
     * @throws FetchRejectedException with the reason; nothing is fetched from a refused host or address
     */
    public byte[] fetch(String uri, String expectedSha256) throws FetchRejectedException {
        long deadline = System.nanoTime() + policy.totalTimeout().toNanos();
        byte[] expected = parseSha256(expectedSha256);
        Target target = Target.parse(uri);
        int redirects = 0;
        while (true) {
            if (!policy.allowsHost(target.host())) {
                throw new FetchRejectedException(
                        FetchRejectionReason.REFERENCE_HOST_NOT_ALLOWED,
                        "host '" + target.host() + "' of " + target.redacted() + " is not on the allow-list");
            }
            InetAddress[] addresses = resolveAndVet(target, deadline);
            Outcome outcome = exchange(target, addresses, deadline);
            if (outcome.location() == null) {
                verify(outcome.body(), expected, target);
                return outcome.body();
            }
            if (redirects >= policy.maxRedirects()) {
                throw new FetchRejectedException(
                        FetchRejectionReason.REFERENCE_REDIRECTS,
                        target.redacted()
                                + " redirects again after " + redirects + " redirect(s); the limit is "
                                + policy.maxRedirects());
            }
            redirects++;
            target = target.redirect(outcome.location());
        }
    }

    // ---------------------------------------------------------------------------------------------- the target

    /** One hop's parsed, validated URI. */
    private record Target(URI uri, String host, boolean ipLiteral, int port, String hostHeader, String requestTarget) {

        static Target parse(String text) throws FetchRejectedException {
            if (text == null || text.isBlank()) {
                throw invalid("the URI is empty");
            }
            if (text.length() > MAX_URI_LENGTH) {
                throw invalid("the URI is longer than " + MAX_URI_LENGTH + " characters");
            }
            URI u;
            try {
                u = new URI(text);
                u = new URI(u.toASCIIString()); // percent-encode any non-ASCII path or query characters
            } catch (URISyntaxException e) {
                throw invalid("the URI is malformed at index " + e.getIndex() + ": " + e.getReason());
            }
            String scheme = u.getScheme();
            if (scheme == null || !scheme.equalsIgnoreCase("https")) {
                throw new FetchRejectedException(
                        FetchRejectionReason.REFERENCE_SCHEME,
                        "only https URIs are" + " fetched; got scheme '"
                                + (scheme == null ? "" : scheme.toLowerCase(Locale.ROOT)) + "'");
            }
            if (u.getRawUserInfo() != null) {
                throw invalid("the URI carries user info (credentials), which is not allowed");
            }
            if (u.getHost() == null) {
                throw invalid("the URI has no valid host");
            }
            int port = u.getPort() == -1 ? 443 : u.getPort();
            if (port < 1 || port > 65535) {
                throw invalid("the URI's port " + port + " is out of range");
            }
            String host = u.getHost().toLowerCase(Locale.ROOT);
            boolean v6 = host.startsWith("[");
            String bare = v6 ? host.substring(1, host.length() - 1) : host;
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            String requestTarget = path + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            for (int i = 0; i < requestTarget.length(); i++) {
                char c = requestTarget.charAt(i);
                if (c <= 0x20 || c >= 0x7f) {
                    throw invalid("the URI's path or query holds a character that cannot be sent");
                }
            }
            String hostHeader = host + (port == 443 ? "" : ":" + port);
            URI normalised = URI.create("https://" + hostHeader + requestTarget);
            return new Target(
                    normalised, bare, v6 || IPV4_LITERAL.matcher(bare).matches(), port, hostHeader, requestTarget);
        }

        Target redirect(String location) throws FetchRejectedException {
            URI next;
            try {
                next = uri.resolve(new URI(location.trim()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new FetchRejectedException(
                        FetchRejectionReason.REFERENCE_FAILED, redacted() + " redirects to a malformed Location", e);
            }
            return parse(next.toString());
        }

        /** The URI without its query, for messages. */
        String redacted() {
            int q = requestTarget.indexOf('?');
            return "https://" + hostHeader + (q < 0 ? requestTarget : requestTarget.substring(0, q) + "?…");
        }

        private static FetchRejectedException invalid(String message) {
            return new FetchRejectedException(FetchRejectionReason.REFERENCE_INVALID, message);
        }
    }

    // -------------------------------------------------------------------------------------- resolution, vetting

    private InetAddress[] resolveAndVet(Target target, long deadline) throws FetchRejectedException {
        InetAddress[] addresses = resolve(target, deadline);
        if (addresses == null || addresses.length == 0) {
            throw new FetchRejectedException(
                    FetchRejectionReason.REFERENCE_FAILED, "host '" + target.host() + "' resolves to no address");
        }
        addresses = addresses.clone();
        for (InetAddress address : addresses) {
            if (address == null) {
                throw new FetchRejectedException(
                        FetchRejectionReason.REFERENCE_FAILED,
                        "host '" + target.host() + "' resolves to a null address");
            }
            String why = AddressPolicy.refusal(address, policy.allowPrivateAddresses());
            if (why != null) {
                throw new FetchRejectedException(
                        FetchRejectionReason.REFERENCE_ADDRESS_REFUSED,
                        "host '" + target.host() + "' resolves to " + address.getHostAddress() + " (" + why + ")");
            }
        }
        return addresses;
    }

    private InetAddress[] resolve(Target target, long deadline) throws FetchRejectedException {
        Future<InetAddress[]> future = RESOLVERS.submit(() -> resolver.resolve(target.host()));
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new FetchRejectedException(
                    FetchRejectionReason.REFERENCE_TIMEOUT,
                    "resolving '" + target.host() + "' did not finish within the total timeout of "
                            + policy.totalTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new FetchRejectedException(
                    FetchRejectionReason.REFERENCE_FAILED, "interrupted while resolving '" + target.host() + "'", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String what = cause instanceof UnknownHostException ? "does not resolve" : "could not be resolved";
            throw new FetchRejectedException(
                    FetchRejectionReason.REFERENCE_FAILED, "host '" + target.host() + "' " + what, cause);
        }
    }

    // ----------------------------------------------------------------------------------------------- the client

    /** One hop's vetted addresses for its host, and the fetch's deadline. */
    private record Pin(String host, InetAddress[] addresses, long deadline) {}

    /** Returns the pinned, vetted addresses for the hop's host and refuses every other name. */
    private static final class PinnedDnsResolver implements DnsResolver {
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            Pin pin = PINNED.get();
            if (pin == null || host == null || !pin.host().equalsIgnoreCase(host)) {
                throw new UnknownHostException("no vetted addresses pinned for " + host);
            }
            return pin.addresses().clone();
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            throw new UnknownHostException("canonical host names are not resolved");
        }
    }

    /** Refuses header lines HttpClient would tolerate: leading whitespace (folding) and whitespace before ':'. */
    private static final class StrictLineParser extends BasicLineParser {
        @Override
        public Header parseHeader(CharArrayBuffer buffer) throws ParseException {
            int colon = buffer.indexOf(':');
            if (buffer.isEmpty() || colon <= 0 || isBlank(buffer.charAt(0)) || isBlank(buffer.charAt(colon - 1))) {
                throw new ParseException("a response header line is malformed");
            }
            return super.parseHeader(buffer);
        }

        @Override
        public StatusLine parseStatusLine(CharArrayBuffer buffer) throws ParseException {
            // HTTP/1.1 200 OK: exactly three digits, then a space or the end
            if (buffer.length() < 12
                    || !buffer.substring(0, 7).equals("HTTP/1.")
                    || buffer.charAt(8) != ' '
                    || (buffer.length() > 12 && buffer.charAt(12) != ' ')) {
                throw new ParseException("the status line is not HTTP/1.x");
            }
            for (int i = 9; i < 12; i++) {
                char c = buffer.charAt(i);
                if (c < '0' || c > '9') {
                    throw new ParseException("the status code is not three digits");
                }
            }
            return super.parseStatusLine(buffer);
        }

        private static boolean isBlank(char c) {
            return c == ' ' || c == '\t';
        }
    }

    private CloseableHttpClient buildClient() {
        List<String> supported =
                Arrays.asList(sslContext.getSupportedSSLParameters().getProtocols());
        String[] protocols = PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new);
        DefaultClientTlsStrategy tls = new DefaultClientTlsStrategy(
                sslContext,
                protocols.length > 0 ? protocols : null,
                null,
                null,
                HostnameVerificationPolicy.BOTH,
                new DefaultHostnameVerifier());
        Http1Config http1 = Http1Config.custom()
                .setMaxLineLength(MAX_LINE)
                .setMaxHeaderCount(MAX_HEADERS)
                .build();
        ManagedHttpClientConnectionFactory connections = ManagedHttpClientConnectionFactory.builder()
                .http1Config(http1)
                .responseParserFactory(new DefaultHttpResponseParserFactory(
                        http1, new StrictLineParser(), DefaultClassicHttpResponseFactory.INSTANCE))
                .build();
        PoolingHttpClientConnectionManager manager = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new PinnedDnsResolver())
                .setTlsSocketStrategy(tls)
                .setConnectionFactory(connections)
                .setMaxConnTotal(MAX_CONNECTIONS)
                .setMaxConnPerRoute(MAX_CONNECTIONS)
                .setConnectionConfigResolver(route -> {
                    long deadline = currentDeadline();
                    return ConnectionConfig.custom()
                            .setConnectTimeout(Timeout.ofMilliseconds(
                                    Math.min(policy.connectTimeout().toMillis(), millisLeftOrOne(deadline))))
                            .setSocketTimeout(Timeout.ofMilliseconds(millisLeftOrOne(deadline)))
                            .build();
                })
                .setTlsConfigResolver(host -> TlsConfig.custom()
                        .setHandshakeTimeout(Timeout.ofMilliseconds(millisLeftOrOne(currentDeadline())))
                        .build())
                .build();
        return HttpClients.custom()
                .setConnectionManager(manager)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableConnectionState()
                .setUserAgent(USER_AGENT)
                .build();
    }

    private long currentDeadline() {
        Pin pin = PINNED.get();
        return pin != null
                ? pin.deadline()
                : System.nanoTime() + policy.totalTimeout().toNanos();
    }

    // ----------------------------------------------------------------------------------------------- exchange

    /** A hop's result: the body of a 2xx, or the Location of a redirect. */
    private record Outcome(byte[] body, String location) {}

    private Outcome exchange(Target target, InetAddress[] addresses, long deadline) throws FetchRejectedException {
        HttpGet get = new HttpGet(target.uri());
        get.setHeader("Accept", "image/*, */*;q=0.5");
        get.setHeader("Accept-Encoding", "identity");
        get.setHeader("Connection", "close");
        long left;
        try {
            left = millisLeft(deadline);
        } catch (SocketTimeoutException e) {
            throw timeout(target, e);
        }
        get.setConfig(RequestConfig.custom()
                .setRedirectsEnabled(false)
                .setConnectionRequestTimeout(Timeout.ofMilliseconds(left))
                .setResponseTimeout(Timeout.ofMilliseconds(left))
                .build());
        HttpHost host = new HttpHost("https", target.host(), target.port());
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(get::cancel, left, TimeUnit.MILLISECONDS);
        PINNED.set(new Pin(target.host(), addresses, deadline));
        ClassicHttpResponse response = null;
        InputStream content = null;
        try {
            response = client.executeOpen(host, get, HttpClientContext.create());
            HttpEntity entity = response.getEntity();
            content = entity != null ? entity.getContent() : null;
            return readResponse(response, entity, content, target, deadline);
        } catch (IOException e) {
            throw failure(e, target, deadline);
        } finally {
            watchdog.cancel(false);
            PINNED.remove();
            // Always abort before closing: closing the response would drain whatever body is left (of a redirect,
            // an error or a refused response) from the server, unbounded by the deadline. Nothing is reused anyway.
            abort(get, content);
            if (response != null) {
                closeQuietly(response);
            }
        }
    }

    /** Drops the connection without draining what the server still sends. */
    private static void abort(HttpGet get, InputStream content) {
        if (content instanceof EofSensorInputStream sensor) {
            try {
                sensor.abort();
            } catch (IOException ignored) {
                // aborting anyway
            }
        }
        get.cancel();
    }

    private Outcome readResponse(
            ClassicHttpResponse response, HttpEntity entity, InputStream content, Target target, long deadline)
            throws IOException, FetchRejectedException {
        int status = response.getCode();
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            String location = single(response, "Location", target);
            if (location == null || location.isBlank()) {
                throw new FetchRejectedException(
                        FetchRejectionReason.REFERENCE_HTTP_ERROR,
                        target.redacted() + " answered " + status + " without a Location");
            }
            return new Outcome(null, location);
        }
        if (status < 200 || status > 299) {
            throw new FetchRejectedException(
                    FetchRejectionReason.REFERENCE_HTTP_ERROR, target.redacted() + " answered HTTP " + status);
        }
        String encoding = single(response, "Content-Encoding", target);
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw malformed(
                    target,
                    "the response uses Content-Encoding '" + encoding.trim() + "' though identity was asked for");
        }
        Header[] transferEncoding = response.getHeaders("Transfer-Encoding");
        if (transferEncoding.length > 0) {
            // Transfer-Encoding overrides Content-Length (RFC 9112 6.3); only plain chunked is accepted.
            StringBuilder te = new StringBuilder();
            for (Header h : transferEncoding) {
                te.append(te.length() == 0 ? "" : ",").append(h.getValue());
            }
            String value = te.toString().replace(" ", "").toLowerCase(Locale.ROOT);
            if (!value.equals("chunked")) {
                throw malformed(target, "unsupported Transfer-Encoding '" + value + "'");
            }
        }
        if (status == 204 || status == 205 || content == null) {
            return new Outcome(new byte[0], null);
        }
        long max = policy.maxBytes();
        long length = entity.getContentLength();
        if (length > max) {
            throw tooLarge(target, "declares Content-Length " + length, max);
        }
        BodyBuffer body = new BodyBuffer(max);
        body.readToEnd(content, target, deadline);
        return new Outcome(body.toByteArray(), null);
    }

    /** The one value of a header (repeats must agree), or null when absent. */
    private static String single(ClassicHttpResponse response, String name, Target target)
            throws FetchRejectedException {
        Header[] values = response.getHeaders(name);
        if (values.length == 0) {
            return null;
        }
        String first = values[0].getValue();
        for (Header h : values) {
            if (!Objects.equals(h.getValue(), first)) {
                throw malformed(target, "conflicting " + name + " headers");
            }
        }
        return first;
    }

    // ---------------------------------------------------------------------------------------------------- body

    /** A body of at most {@code max} bytes that never allocates more than {@code max + 1}. */
    private static final class BodyBuffer {
        private final long max;
        private byte[] bytes;
        private int count;

        BodyBuffer(long max) {
            this.max = max;
            this.bytes = new byte[(int) Math.min(max + 1, INITIAL_BODY_BUFFER)];
        }

        /** Reads until the end of the stream, stopping after {@code max + 1} bytes or at the deadline. */
        void readToEnd(InputStream in, Target target, long deadline) throws IOException, FetchRejectedException {
            while (true) {
                if (count == bytes.length) {
                    if (count > max) {
                        throw tooLarge(target, "sends a body longer than the limit", max);
                    }
                    ensure(count + 1);
                }
                millisLeft(deadline);
                int n;
                try {
                    n = in.read(bytes, count, bytes.length - count);
                } catch (TruncatedChunkException e) {
                    if (chunkPastTheCap(e)) {
                        throw tooLarge(target, "sends a chunk that takes the body past the limit", max);
                    }
                    throw e;
                }
                if (n < 0) {
                    return;
                }
                count += n;
            }
        }

        /**
         * Whether a chunk that ended early had declared a size that takes the body past the cap. HttpClient reads
         * the chunk header itself and only reports the declared size in this exception's message.
         */
        private boolean chunkPastTheCap(TruncatedChunkException e) {
            Matcher m = TRUNCATED_CHUNK.matcher(String.valueOf(e.getMessage()));
            if (!m.find()) {
                return false;
            }
            try {
                long declared = Long.parseLong(m.group(1));
                long received = Long.parseLong(m.group(2));
                return declared - received > max - count;
            } catch (NumberFormatException overflow) {
                return true;
            }
        }

        private void ensure(int needed) {
            if (needed > bytes.length) {
                long grown = Math.max(needed, Math.min(max + 1, (long) bytes.length * 2));
                bytes = Arrays.copyOf(bytes, (int) grown);
            }
        }

        byte[] toByteArray() {
            return count == bytes.length ? bytes : Arrays.copyOf(bytes, count);
        }
    }

    // ---------------------------------------------------------------------------------------------- errors

    /** Milliseconds to the deadline, at least 1. */
    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("the total timeout has passed");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left) + 1));
    }

    private static long millisLeftOrOne(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
    }

    private FetchRejectedException failure(IOException e, Target target, long deadline) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof ConnectTimeoutException) {
                return timeout(target, e);
            }
        }
        if (System.nanoTime() - deadline >= 0) {
            return timeout(target, e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return new FetchRejectedException(
                        FetchRejectionReason.REFERENCE_TLS,
                        "TLS with " + target.redacted() + " failed: " + t.getMessage(),
                        e);
            }
        }
        return new FetchRejectedException(
                FetchRejectionReason.REFERENCE_FAILED, "fetching " + target.redacted() + " failed: " + e, e);
    }

    private FetchRejectedException timeout(Target target, IOException e) {
        return new FetchRejectedException(
                FetchRejectionReason.REFERENCE_TIMEOUT,
                "fetching " + target.redacted()
                        + " did not finish within the limits (connect "
                        + policy.connectTimeout().toMillis() + " ms, total "
                        + policy.totalTimeout().toMillis() + " ms)",
                e);
    }

    private static FetchRejectedException malformed(Target target, String message) {
        return new FetchRejectedException(FetchRejectionReason.REFERENCE_FAILED, target.redacted() + ": " + message);
    }

    private static FetchRejectedException tooLarge(Target target, String message, long limit) {
        return new FetchRejectedException(
                FetchRejectionReason.REFERENCE_TOO_LARGE,
                target.redacted() + " " + message + " (limit " + limit + " bytes)");
    }

    private static void closeQuietly(Closeable socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    // -------------------------------------------------------------------------------------------- checksum

    private static byte[] parseSha256(String hex) throws FetchRejectedException {
        if (hex == null) {
            return null;
        }
        if (!SHA256_HEX.matcher(hex).matches()) {
            throw new FetchRejectedException(
                    FetchRejectionReason.REFERENCE_INVALID, "the expected sha256 is not 64 hex digits");
        }
        return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    }

    private static void verify(byte[] body, byte[] expected, Target target) throws FetchRejectedException {
        if (expected == null) {
            return;
        }
        byte[] actual;
        try {
            actual = MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new FetchRejectedException(
                    FetchRejectionReason.REFERENCE_CHECKSUM,
                    "the " + body.length
                            + " bytes from " + target.redacted() + " have sha256 "
                            + HexFormat.of().formatHex(actual)
                            + ", expected " + HexFormat.of().formatHex(expected));
        }
    }

    private static ThreadPoolExecutor resolverPool() {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(
                0,
                32,
                30,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                r -> {
                    Thread t = new Thread(r, "clipstream-fetch-resolver-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "clipstream-fetch-watchdog");
            t.setDaemon(true);
            return t;
        });
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }
}
