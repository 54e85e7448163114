package io.clipstream.image;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Fetches images given by reference ({@code ImageReference{uri, sha256}}) without becoming a server-side request
 * forgery (SSRF) gadget: only {@code https}, only hosts on the {@link FetchPolicy#allowedHosts() allow-list}, only
 * public addresses ({@link AddressPolicy}), bounded in size, time and redirects, and optionally checked against a
 * SHA-256.
 *
 * <h2>Address pinning: why a small HTTP/1.1 client over {@link SSLSocket}</h2>
 *
 * <p>Checking a host's addresses and then handing the URL to {@code java.net.http.HttpClient} or
 * {@code HttpsURLConnection} is not safe: both resolve the name again when they connect, so a DNS answer that
 * changes between the check and the connect (DNS rebinding, or a resolver returning several records) can still
 * reach 127.0.0.1 or 169.254.169.254. Neither lets the caller fix the address the socket connects to while keeping
 * the name for the Host header, SNI and certificate checks. So each hop here:
 *
 * <ol>
 *   <li>parses the URI and requires {@code https}, then requires the host to be on the allow-list;</li>
 *   <li>resolves the host once, through the injectable {@link HostResolver}, and refuses the hop if ANY of the
 *       addresses is refused, so a name with one public and one private record is refused outright;</li>
 *   <li>opens a plain TCP socket ({@link Proxy#NO_PROXY}, so no {@code socksProxyHost} property can redirect it)
 *       to one of exactly those {@link InetAddress} objects, which are never resolved again;</li>
 *   <li>layers TLS over it with {@link javax.net.ssl.SSLSocketFactory#createSocket(Socket, String, int, boolean)}
 *       naming the original host, sends SNI for that name and turns on
 *       {@code setEndpointIdentificationAlgorithm("HTTPS")}, which is the RFC 2818 / RFC 6125 host name check that
 *       {@code HttpsURLConnection} performs; a certificate not valid for the name in the URI fails the handshake
 *       ({@link FetchRejectionReason#REFERENCE_TLS});</li>
 *   <li>sends one {@code GET} with the original {@code Host} header, {@code Connection: close} and
 *       {@code Accept-Encoding: identity}, and reads a bounded response (status line, at most 64 KiB of headers,
 *       then a body framed by Content-Length, chunked encoding or the end of the connection).</li>
 * </ol>
 *
 * <p>Redirects (301, 302, 303, 307, 308) are followed by hand, at most {@link FetchPolicy#maxRedirects()} times,
 * and every hop goes through all the steps above again: scheme, allow-list, resolution and address vetting.
 * Nothing from one hop (cookies, credentials) is carried to the next.
 *
 * <h2>Limits</h2>
 *
 * <p>Never more than {@code maxBytes + 1} body bytes are held (a Content-Length over the cap is refused before the
 * body is read; chunked and close-delimited bodies are cut off at the cap). Each connect is bounded by
 * {@link FetchPolicy#connectTimeout()}; resolution runs on a helper thread so that even a hanging resolver is
 * bounded, and every read is bounded by what is left of {@link FetchPolicy#totalTimeout()}, which covers the
 * whole fetch including all hops, so a server trickling one byte at a time cannot hold a thread longer than the
 * deadline (plus scheduling slack). Sockets are always closed. The request carries no credentials, and exception
 * messages name the URI without its query string, which may hold signed tokens.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ImageFetcher {

    private static final int MAX_URI_LENGTH = 8192;
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADER_BYTES = 65_536;
    private static final int MAX_HEADERS = 128;
    private static final int MAX_INTERIM_RESPONSES = 8;
    private static final int INITIAL_BODY_BUFFER = 64 * 1024;
    private static final String USER_AGENT = "ClipStream-ImageFetcher/1";
    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * Runs host resolution so a hanging resolver cannot outlive the deadline. Bounded; when every thread is busy
     * the caller resolves itself (then only the resolver's own timeouts bound it).
     */
    private static final ThreadPoolExecutor RESOLVERS = resolverPool();

    private final FetchPolicy policy;
    private final HostResolver resolver;
    private final SSLContext sslContext;

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
    }

    /** The policy this fetcher enforces. */
    public FetchPolicy policy() {
        return policy;
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

    // ----------------------------------------------------------------------------------------------- exchange

    /** A hop's result: the body of a 2xx, or the Location of a redirect. */
    private record Outcome(byte[] body, String location) {}

    private Outcome exchange(Target target, InetAddress[] addresses, long deadline) throws FetchRejectedException {
        try (Connection connection = connect(target, addresses, deadline)) {
            SSLSocket socket = connection.ssl();
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target.requestTarget() + " HTTP/1.1\r\n"
                            + "Host: " + target.hostHeader() + "\r\n"
                            + "User-Agent: " + USER_AGENT + "\r\n"
                            + "Accept: image/*, */*;q=0.5\r\n"
                            + "Accept-Encoding: identity\r\n"
                            + "Connection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(new DeadlineInputStream(socket, deadline), 8192);
            return readResponse(in, target);
        } catch (IOException e) {
            throw failure(e, target, deadline);
        }
    }

    /**
     * An open TLS connection. Closing it aborts the TCP connection (linger 0) before closing the TLS layer: a
     * graceful TLS close can wait on a peer that has stopped talking, which would let a server hold the thread
     * past the deadline; by the time we close, the response is either complete (framed) or abandoned.
     */
    private record Connection(Socket plain, SSLSocket ssl) implements AutoCloseable {
        @Override
        public void close() {
            try {
                plain.setSoLinger(true, 0);
            } catch (IOException ignored) {
                // closing anyway
            }
            closeQuietly(plain);
            closeQuietly(ssl);
        }
    }

    private Connection connect(Target target, InetAddress[] addresses, long deadline) throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) {
            int connectMillis = (int) Math.min(policy.connectTimeout().toMillis(), millisLeft(deadline));
            Socket plain = new Socket(Proxy.NO_PROXY);
            try {
                // The vetted InetAddress itself: no second lookup can happen here.
                plain.connect(new InetSocketAddress(address, target.port()), connectMillis);
            } catch (IOException e) {
                closeQuietly(plain);
                last = e;
                continue;
            }
            try {
                plain.setTcpNoDelay(true);
                SSLSocket ssl = (SSLSocket)
                        sslContext.getSocketFactory().createSocket(plain, target.host(), target.port(), true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                if (!target.ipLiteral()) {
                    params.setServerNames(List.of(new SNIHostName(target.host())));
                }
                List<String> supported = Arrays.asList(ssl.getSupportedProtocols());
                String[] protocols =
                        PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new);
                if (protocols.length > 0) {
                    params.setProtocols(protocols);
                }
                ssl.setSSLParameters(params);
                ssl.setSoTimeout(millisLeft(deadline));
                ssl.startHandshake();
                return new Connection(plain, ssl);
            } catch (IOException | RuntimeException e) {
                closeQuietly(plain);
                throw e instanceof IOException io ? io : new SSLException("TLS setup failed: " + e.getMessage(), e);
            }
        }
        throw last != null ? last : new IOException("no address to connect to");
    }

    private Outcome readResponse(InputStream in, Target target) throws IOException, FetchRejectedException {
        int[] headerBudget = {MAX_HEADER_BYTES};
        for (int interim = 0; interim <= MAX_INTERIM_RESPONSES; interim++) {
            String statusLine = readLine(in, headerBudget, target);
            if (statusLine == null) {
                throw malformed(target, "the connection closed before a response");
            }
            int status = parseStatus(statusLine, target);
            Map<String, List<String>> headers = readHeaders(in, headerBudget, target);
            if (status >= 100 && status < 200 && status != 101) {
                continue; // 100 Continue, 103 Early Hints: the real response follows
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = single(headers, "location", target);
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
            String encoding = single(headers, "content-encoding", target);
            if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
                throw malformed(
                        target,
                        "the response uses Content-Encoding '" + encoding.trim() + "' though identity was asked for");
            }
            if (status == 204 || status == 205) {
                return new Outcome(new byte[0], null);
            }
            return new Outcome(readBody(in, headers, target), null);
        }
        throw malformed(target, "too many interim (1xx) responses");
    }

    private static int parseStatus(String line, Target target) throws FetchRejectedException {
        // HTTP/1.1 200 OK
        if (!line.startsWith("HTTP/1.")
                || line.length() < 12
                || line.charAt(8) != ' '
                || (line.length() > 12 && line.charAt(12) != ' ')) {
            throw malformed(target, "the status line is not HTTP/1.x");
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                throw malformed(target, "the status code is not three digits");
            }
            status = status * 10 + (c - '0');
        }
        return status;
    }

    private static Map<String, List<String>> readHeaders(InputStream in, int[] budget, Target target)
            throws IOException, FetchRejectedException {
        Map<String, List<String>> headers = new HashMap<>();
        int count = 0;
        while (true) {
            String line = readLine(in, budget, target);
            if (line == null) {
                throw malformed(target, "the connection closed inside the response headers");
            }
            if (line.isEmpty()) {
                return headers;
            }
            if (++count > MAX_HEADERS) {
                throw malformed(target, "more than " + MAX_HEADERS + " response headers");
            }
            int colon = line.indexOf(':');
            if (colon <= 0
                    || line.charAt(0) == ' '
                    || line.charAt(0) == '\t'
                    || line.charAt(colon - 1) == ' '
                    || line.charAt(colon - 1) == '\t') {
                throw malformed(target, "a response header line is malformed");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, k -> new ArrayList<>(1))
                    .add(line.substring(colon + 1).trim());
        }
    }

    /** The one value of a header (repeats must agree), or null when absent. */
    private static String single(Map<String, List<String>> headers, String name, Target target)
            throws FetchRejectedException {
        List<String> values = headers.get(name);
        if (values == null) {
            return null;
        }
        String first = values.get(0);
        for (String v : values) {
            if (!v.equals(first)) {
                throw malformed(target, "conflicting " + name + " headers");
            }
        }
        return first;
    }

    // ---------------------------------------------------------------------------------------------------- body

    private byte[] readBody(InputStream in, Map<String, List<String>> headers, Target target)
            throws IOException, FetchRejectedException {
        long max = policy.maxBytes();
        List<String> transferEncoding = headers.get("transfer-encoding");
        if (transferEncoding != null) {
            // Transfer-Encoding overrides Content-Length (RFC 9112 6.3); only plain chunked is accepted.
            String te = String.join(",", transferEncoding).replace(" ", "").toLowerCase(Locale.ROOT);
            if (!te.equals("chunked")) {
                throw malformed(target, "unsupported Transfer-Encoding '" + te + "'");
            }
            return readChunked(in, target);
        }
        String contentLength = single(headers, "content-length", target);
        if (contentLength != null) {
            long length = parseContentLength(contentLength, target);
            if (length > max) {
                throw tooLarge(target, "declares Content-Length " + length, max);
            }
            byte[] body = new byte[(int) length];
            int read = in.readNBytes(body, 0, body.length);
            if (read < body.length) {
                throw malformed(target, "the body ended after " + read + " of " + length + " bytes");
            }
            return body;
        }
        BodyBuffer body = new BodyBuffer(max);
        body.readToEnd(in, target);
        return body.toByteArray();
    }

    private byte[] readChunked(InputStream in, Target target) throws IOException, FetchRejectedException {
        BodyBuffer body = new BodyBuffer(policy.maxBytes());
        int[] lineBudget = {MAX_HEADER_BYTES};
        while (true) {
            String line = readLine(in, lineBudget, target);
            if (line == null) {
                throw malformed(target, "the connection closed inside the chunked body");
            }
            int semicolon = line.indexOf(';');
            String hex = (semicolon < 0 ? line : line.substring(0, semicolon)).trim();
            if (hex.isEmpty() || hex.length() > 16 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw malformed(target, "a chunk size is malformed");
            }
            long size = hex.length() > 15 ? Long.MAX_VALUE : Long.parseLong(hex, 16);
            if (size == 0) {
                readHeaders(in, lineBudget, target); // trailers, ignored
                return body.toByteArray();
            }
            body.readExactly(in, size, target);
            String end = readLine(in, lineBudget, target);
            if (end == null || !end.isEmpty()) {
                throw malformed(target, "a chunk does not end with CRLF");
            }
            lineBudget[0] = MAX_HEADER_BYTES; // the budget bounds each chunk's framing, not the whole body
        }
    }

    private static long parseContentLength(String value, Target target) throws FetchRejectedException {
        if (value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw malformed(target, "Content-Length '" + value + "' is not a number");
        }
        return value.length() > 18 ? Long.MAX_VALUE : Long.parseLong(value);
    }

    /** A body of at most {@code max} bytes that never allocates more than {@code max + 1}. */
    private static final class BodyBuffer {
        private final long max;
        private byte[] bytes;
        private int count;

        BodyBuffer(long max) {
            this.max = max;
            this.bytes = new byte[(int) Math.min(max + 1, INITIAL_BODY_BUFFER)];
        }

        /** Reads exactly {@code n} more bytes, refusing before reading when they would pass the cap. */
        void readExactly(InputStream in, long n, Target target) throws IOException, FetchRejectedException {
            if (n > max - count) {
                throw tooLarge(target, "sends a chunk that takes the body past the limit", max);
            }
            ensure(count + (int) n);
            int read = in.readNBytes(bytes, count, (int) n);
            count += read;
            if (read < n) {
                throw malformed(target, "the connection closed inside a chunk");
            }
        }

        /** Reads until the end of the stream, stopping after {@code max + 1} bytes. */
        void readToEnd(InputStream in, Target target) throws IOException, FetchRejectedException {
            while (true) {
                if (count == bytes.length) {
                    if (count > max) {
                        throw tooLarge(target, "sends a body longer than the limit", max);
                    }
                    ensure(count + 1);
                }
                int n = in.read(bytes, count, bytes.length - count);
                if (n < 0) {
                    return;
                }
                count += n;
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

    // ---------------------------------------------------------------------------------------------- low level

    /**
     * One line of at most {@link #MAX_LINE} bytes ending in LF (a preceding CR is dropped), charged to
     * {@code budget}; null at the end of the stream before any byte.
     */
    private static String readLine(InputStream in, int[] budget, Target target)
            throws IOException, FetchRejectedException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.length() == 0) {
                    return null;
                }
                throw malformed(target, "the connection closed inside a line");
            }
            if (--budget[0] < 0) {
                throw malformed(target, "the response headers are longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() >= MAX_LINE) {
                throw malformed(target, "a response line is longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
    }

    /** Each read waits at most for what is left of the total deadline. */
    private static final class DeadlineInputStream extends InputStream {
        private final SSLSocket socket;
        private final InputStream in;
        private final long deadline;

        DeadlineInputStream(SSLSocket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout(millisLeft(deadline));
            return in.read(b, off, len);
        }
    }

    /** Milliseconds to the deadline, at least 1. */
    private static int millisLeft(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("the total timeout has passed");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left) + 1));
    }

    private FetchRejectedException failure(IOException e, Target target, long deadline) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return timeout(target, e);
            }
        }
        if (System.nanoTime() - deadline >= 0) {
            return timeout(target, e);
        }
        if (e instanceof SSLException) {
            return new FetchRejectedException(
                    FetchRejectionReason.REFERENCE_TLS,
                    "TLS with " + target.redacted() + " failed: " + e.getMessage(),
                    e);
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
}
