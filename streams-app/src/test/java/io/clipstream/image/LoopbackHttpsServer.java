package io.clipstream.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTPS server bound to 127.0.0.1 only, with a self-signed certificate for one DNS name made by the JDK's
 * {@code keytool}, and the client {@link SSLContext} that trusts exactly that certificate. Handlers are registered
 * by exact path; anything else answers 404.
 */
final class LoopbackHttpsServer implements AutoCloseable {
    private static final char[] PASSWORD = "changeit".toCharArray();

    private final HttpsServer server;
    private final ExecutorService pool;
    private final SSLContext clientContext;
    private final SSLContext serverContext;
    private final Map<String, HttpHandler> handlers = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    private LoopbackHttpsServer(
            HttpsServer server, ExecutorService pool, SSLContext clientContext, SSLContext serverContext) {
        this.server = server;
        this.pool = pool;
        this.clientContext = clientContext;
        this.serverContext = serverContext;
    }

    /** Generates a key pair and self-signed certificate for {@code dnsName} under {@code dir} and starts serving. */
    static LoopbackHttpsServer start(Path dir, String dnsName)
            throws IOException, GeneralSecurityException, InterruptedException {
        Path store = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process process = new ProcessBuilder(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "server",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-sigalg",
                        "SHA256withECDSA",
                        "-dname",
                        "CN=" + dnsName,
                        "-ext",
                        "SAN=DNS:" + dnsName,
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        new String(PASSWORD),
                        "-keypass",
                        new String(PASSWORD),
                        "-noprompt")
                .redirectErrorStream(true)
                .start();
        byte[] output;
        try (InputStream in = process.getInputStream()) {
            output = in.readAllBytes();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + new String(output, StandardCharsets.UTF_8));
        }

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);

        Certificate certificate = keys.getCertificate("server");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "loopback-https");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        LoopbackHttpsServer result = new LoopbackHttpsServer(server, pool, clientContext, serverContext);
        server.createContext("/", result::dispatch);
        server.start();
        return result;
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            HttpHandler handler = handlers.get(exchange.getRequestURI().getPath());
            if (handler == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            handler.handle(exchange);
        }
    }

    /** The loopback port. */
    int port() {
        return server.getAddress().getPort();
    }

    /** A client context trusting only this server's certificate. */
    SSLContext clientContext() {
        return clientContext;
    }

    /** Serves {@code path} with {@code handler} (replacing any earlier one). */
    void handle(String path, HttpHandler handler) {
        handlers.put(path, handler);
    }

    /** Serves {@code path} with {@code body} and a Content-Length. */
    void serve(String path, byte[] body, String contentType) {
        handle(path, exchange -> {
            exchange.getResponseHeaders().put("Content-Type", List.of(contentType));
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        });
    }

    /** Answers {@code path} with {@code status} and a Location header. */
    void redirect(String path, int status, String location) {
        handle(path, exchange -> {
            exchange.getResponseHeaders().put("Location", List.of(location));
            exchange.sendResponseHeaders(status, -1);
        });
    }

    /**
     * A second TLS server on 127.0.0.1 with the same certificate that answers every connection with exactly
     * {@code response} (raw bytes, for framing the JDK server cannot produce), then closes it when
     * {@code closeAfter}, else keeps it open and silent. With {@code response} null it never completes the TLS
     * handshake (accepts and stays silent).
     */
    RawServer raw(byte[] response, boolean closeAfter) throws IOException {
        ServerSocket listener = response == null
                ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : serverContext.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        RawServer raw = new RawServer(listener);
        pool.execute(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    raw.accepted.add(socket);
                    pool.execute(() -> respond(socket, response, closeAfter));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return raw;
    }

    private static void respond(Socket socket, byte[] response, boolean closeAfter) {
        if (response == null) {
            return; // silent: the client's handshake never completes
        }
        try {
            InputStream in = socket.getInputStream();
            int matched = 0;
            byte[] end = {'\r', '\n', '\r', '\n'};
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            socket.getOutputStream().write(response);
            socket.getOutputStream().flush();
            if (closeAfter) {
                socket.close();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** A raw TLS responder; closing it closes its listener and connections. */
    static final class RawServer implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();

        RawServer(ServerSocket listener) {
            this.listener = listener;
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    /** Requests received so far. */
    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
