package io.clipstream.review;

import io.clipstream.schema.ReviewItem;
import io.clipstream.schema.ReviewVerdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The review console: an embedded Jetty 12 server (its core handler API, no servlet container) serving
 * server-rendered pages. Every page, thumbnail and action needs a session; sessions are HttpOnly, SameSite=Strict
 * cookies (Secure under HTTPS); every POST carries the session's CSRF token (the login form a token of its own,
 * double-submitted in a cookie); viewers see, moderators decide, admins also add to banks. Failed logins are
 * throttled per user and per address.
 */
public final class ReviewConsole implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReviewConsole.class);
    static final String SESSION_COOKIE = "clipstream_session";
    static final String LOGIN_COOKIE = "clipstream_login";

    /** TLS settings; null location means plain HTTP. */
    public record Tls(Path keyStore, String password, String type) {}

    private final Server server;
    private final ServerConnector connector;
    private final boolean https;

    /**
     * Starts the console.
     *
     * @param host address to bind (loopback unless told otherwise)
     * @param tls the key store for HTTPS, or null for HTTP
     * @param banks "add to bank" and "not this again", or null when not offered
     */
    public ReviewConsole(
            String host,
            int port,
            Tls tls,
            ConsoleUsers users,
            ConsoleSessions sessions,
            LoginThrottle throttle,
            ReviewState state,
            DecisionDesk desk,
            BankActions banks,
            Clock clock) {
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("review-console");
        pool.setDaemon(true);
        server = new Server(pool);
        https = tls != null;
        if (https) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keyStore().toString());
            ssl.setKeyStorePassword(tls.password());
            ssl.setKeyStoreType(tls.type());
            HttpConfiguration config = new HttpConfiguration();
            config.addCustomizer(new SecureRequestCustomizer(false));
            connector = new ServerConnector(
                    server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(config));
        } else {
            connector = new ServerConnector(server);
        }
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new ConsoleHandler(users, sessions, throttle, state, desk, banks, clock));
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException(
                    "cannot start the review console on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("Review console on {}", url());
    }

    /** The port bound (for port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The console's address. */
    public String url() {
        String host = connector.getHost();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (https ? "https://" : "http://") + host + ":" + port() + "/";
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Stopping the review console failed: {}", e.getMessage());
        }
    }

    /** Routes and enforces the security rules. */
    private static final class ConsoleHandler extends Handler.Abstract {
        private final ConsoleUsers users;
        private final ConsoleSessions sessions;
        private final LoginThrottle throttle;
        private final ReviewState state;
        private final DecisionDesk desk;
        private final BankActions banks;
        private final Clock clock;

        ConsoleHandler(
                ConsoleUsers users,
                ConsoleSessions sessions,
                LoginThrottle throttle,
                ReviewState state,
                DecisionDesk desk,
                BankActions banks,
                Clock clock) {
            this.users = users;
            this.sessions = sessions;
            this.throttle = throttle;
            this.state = state;
            this.desk = desk;
            this.banks = banks;
            this.clock = clock;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            securityHeaders(request, response);
            try {
                return route(request, response, callback);
            } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
                return text(response, callback, 503, "the review state is not available yet; retry in a moment");
            }
        }

        private boolean route(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            boolean post = "POST".equals(request.getMethod());
            if (!post && !"GET".equals(request.getMethod())) {
                return text(response, callback, 405, "method not allowed");
            }
            if (path.startsWith("/static/") && !post) {
                return staticFile(response, callback, path.substring("/static/".length()));
            }
            if (path.equals("/login")) {
                return post ? login(request, response, callback) : loginPage(response, callback, null);
            }
            Optional<ConsoleSessions.Session> found = sessions.find(cookie(request, SESSION_COOKIE), clock.millis());
            if (found.isEmpty()) {
                if (!post && (path.equals("/") || path.equals("/quality"))) {
                    Response.sendRedirect(request, response, callback, 303, "/login", false);
                    return true;
                }
                return text(response, callback, 401, "log in first");
            }
            ConsoleSessions.Session session = found.get();
            Fields fields = post ? Request.getParameters(request) : Request.extractQueryParameters(request);
            if (post && !ConsoleSessions.same(session.csrf(), fields.getValue("csrf"))) {
                LOG.warn(
                        "Refused a POST to {} by {} without a valid CSRF token",
                        path,
                        session.user().name());
                return text(response, callback, 403, "missing or wrong CSRF token");
            }
            return switch (path) {
                case "/" ->
                    post
                            ? text(response, callback, 405, "method not allowed")
                            : html(
                                    response,
                                    callback,
                                    200,
                                    ConsolePages.queue(session, state, filter(fields), fields.getValue("notice")));
                case "/quality" ->
                    html(response, callback, 200, ConsolePages.quality(session, QualityReport.of(state.decisions())));
                case "/thumb" -> thumbnail(response, callback, fields.getValue("event"));
                case "/decide" ->
                    post
                            ? decide(request, response, callback, session, fields)
                            : text(response, callback, 405, "method not allowed");
                case "/decide/bulk" ->
                    post
                            ? bulk(request, response, callback, session, fields)
                            : text(response, callback, 405, "method not allowed");
                case "/bank/add", "/bank/not-again" ->
                    post
                            ? bank(request, response, callback, session, fields, path.equals("/bank/add"))
                            : text(response, callback, 405, "method not allowed");
                case "/logout" -> {
                    if (!post) {
                        yield text(response, callback, 405, "method not allowed");
                    }
                    sessions.close(session.id());
                    Response.addCookie(response, cookieOf(SESSION_COOKIE, "", 0));
                    Response.sendRedirect(request, response, callback, 303, "/login", false);
                    yield true;
                }
                default -> text(response, callback, 404, "not found");
            };
        }

        private static ConsolePages.Filter filter(Fields q) {
            return new ConsolePages.Filter(
                    value(q, "policy"),
                    value(q, "source"),
                    value(q, "version"),
                    "severity".equals(q.getValue("order")),
                    "1".equals(q.getValue("all")));
        }

        private static String value(Fields fields, String name) {
            String v = fields.getValue(name);
            return v == null ? "" : v;
        }

        private boolean loginPage(Response response, Callback callback, String message) {
            String token = ConsoleSessions.token();
            Response.addCookie(response, cookieOf(LOGIN_COOKIE, token, -1));
            return html(response, callback, message == null ? 200 : 401, ConsolePages.login(token, message));
        }

        private boolean login(Request request, Response response, Callback callback) throws Exception {
            Fields form = Request.getParameters(request);
            if (!ConsoleSessions.same(cookie(request, LOGIN_COOKIE), form.getValue("csrf"))) {
                return text(response, callback, 403, "missing or wrong CSRF token");
            }
            String user = value(form, "user");
            String address = Request.getRemoteAddr(request);
            long now = clock.millis();
            if (!throttle.allows(user, address, now)) {
                LOG.warn("Login for {} from {} refused: too many failures", user, address);
                return text(response, callback, 429, "too many failed logins; try again later");
            }
            Optional<ConsoleUsers.User> found = users.authenticate(user, form.getValue("password"));
            if (found.isEmpty()) {
                throttle.failed(user, address, now);
                LOG.warn("Failed login for {} from {}", user, address);
                return loginPage(response, callback, "wrong user or password");
            }
            ConsoleSessions.Session session = sessions.open(found.get(), now);
            LOG.info("{} logged in from {}", found.get(), address);
            Response.addCookie(response, cookieOf(SESSION_COOKIE, session.id(), -1));
            Response.addCookie(response, cookieOf(LOGIN_COOKIE, "", 0));
            Response.sendRedirect(request, response, callback, 303, "/", false);
            return true;
        }

        private boolean thumbnail(Response response, Callback callback, String eventId) {
            ReviewItem item = eventId == null ? null : state.item(eventId);
            if (item == null) {
                return text(response, callback, 404, "no such item");
            }
            byte[] jpeg = new byte[item.getThumbnail().remaining()];
            item.getThumbnail().duplicate().get(jpeg);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "image/jpeg");
            response.write(true, ByteBuffer.wrap(jpeg), callback);
            return true;
        }

        private boolean decide(
                Request request, Response response, Callback callback, ConsoleSessions.Session session, Fields form) {
            if (!session.user().role().allows(Role.MODERATOR)) {
                LOG.warn("Refused a decision by {}: not a moderator", session.user());
                return text(response, callback, 403, "only moderators decide");
            }
            ReviewVerdict verdict;
            int revision;
            try {
                verdict = ReviewVerdict.valueOf(value(form, "decision"));
                revision = Integer.parseInt(value(form, "revision"));
            } catch (IllegalArgumentException e) {
                return text(response, callback, 400, "decision and revision required");
            }
            DecisionDesk.Outcome outcome = desk.decide(
                    session.user().name(),
                    value(form, "event"),
                    value(form, "policy"),
                    verdict,
                    revision,
                    form.getValue("note"),
                    clock.instant());
            return back(
                    request,
                    response,
                    callback,
                    outcome == DecisionDesk.Outcome.DECIDED
                            ? null
                            : "not decided: "
                                    + outcome.name()
                                            .toLowerCase(java.util.Locale.ROOT)
                                            .replace('_', ' '));
        }

        private boolean bulk(
                Request request, Response response, Callback callback, ConsoleSessions.Session session, Fields form) {
            if (!session.user().role().allows(Role.MODERATOR)) {
                return text(response, callback, 403, "only moderators decide");
            }
            ReviewVerdict verdict;
            try {
                verdict = ReviewVerdict.valueOf(value(form, "decision"));
            } catch (IllegalArgumentException e) {
                return text(response, callback, 400, "decision required");
            }
            if (verdict != ReviewVerdict.CONFIRMED && verdict != ReviewVerdict.OVERTURNED) {
                return text(response, callback, 400, "bulk decisions confirm or overturn");
            }
            List<String> flags = form.getValues("flag");
            int decided = 0;
            for (String flag : flags == null ? List.<String>of() : flags) {
                int hash = flag.lastIndexOf('#');
                int slash = flag.indexOf('/');
                if (hash < 0 || slash < 0 || slash > hash) {
                    continue;
                }
                try {
                    if (desk.decide(
                                    session.user().name(),
                                    flag.substring(0, slash),
                                    flag.substring(slash + 1, hash),
                                    verdict,
                                    Integer.parseInt(flag.substring(hash + 1)),
                                    null,
                                    clock.instant())
                            == DecisionDesk.Outcome.DECIDED) {
                        decided++;
                    }
                } catch (NumberFormatException e) {
                    // a malformed entry is skipped; the count says how many were decided
                }
            }
            return back(
                    request, response, callback, decided + " of " + (flags == null ? 0 : flags.size()) + " decided");
        }

        private boolean bank(
                Request request,
                Response response,
                Callback callback,
                ConsoleSessions.Session session,
                Fields form,
                boolean add) {
            if (!session.user().role().allows(Role.ADMIN)) {
                return text(response, callback, 403, "only admins change banks");
            }
            if (banks == null) {
                return text(response, callback, 404, "banks are not offered by this console");
            }
            String eventId = value(form, "event");
            ReviewItem item = state.item(eventId);
            var d = state.decision(DecisionLedger.key(eventId, value(form, "policy")));
            ReviewVerdict needed = add ? ReviewVerdict.CONFIRMED : ReviewVerdict.OVERTURNED;
            if (item == null || d == null || d.getDecision() != needed) {
                return text(response, callback, 409, "the flag must stand " + needed + " first");
            }
            try {
                String bank = add
                        ? banks.addToBank(item, session.user().name(), clock.instant())
                        : banks.notThisAgain(item, session.user().name(), clock.instant());
                LoggerFactory.getLogger("io.clipstream.review.audit")
                        .info("bank admin={} event={} bank={}", session.user().name(), eventId, bank);
                return back(request, response, callback, "added " + eventId + " to bank " + bank);
            } catch (io.clipstream.image.ImageRejectedException e) {
                return text(response, callback, 422, "the thumbnail cannot be hashed: " + e.getMessage());
            }
        }

        private boolean back(Request request, Response response, Callback callback, String notice) {
            String referer = request.getHeaders().get(HttpHeader.REFERER);
            String target = "/";
            if (referer != null) {
                java.net.URI uri = java.net.URI.create(referer);
                target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                        + (uri.getRawQuery() == null
                                ? ""
                                : "?" + uri.getRawQuery().replaceAll("(^|&)notice=[^&]*", ""));
            }
            if (notice != null) {
                target += (target.contains("?") ? "&" : "?") + "notice=" + Html.url(notice);
            }
            Response.sendRedirect(request, response, callback, 303, target, false);
            return true;
        }

        private HttpCookie cookieOf(String name, String value, long maxAge) {
            return HttpCookie.build(name, value)
                    .path("/")
                    .httpOnly(true)
                    .sameSite(HttpCookie.SameSite.STRICT)
                    .secure(httpsOnly())
                    .maxAge(maxAge)
                    .build();
        }

        private boolean httpsOnly() {
            return getServer() != null
                    && getServer().getConnectors().length > 0
                    && getServer().getConnectors()[0].getConnectionFactory(SslConnectionFactory.class) != null;
        }

        private static String cookie(Request request, String name) {
            List<HttpCookie> cookies = Request.getCookies(request);
            for (HttpCookie c : cookies == null ? new ArrayList<HttpCookie>() : cookies) {
                if (c.getName().equals(name)) {
                    return c.getValue();
                }
            }
            return null;
        }

        private void securityHeaders(Request request, Response response) {
            var h = response.getHeaders();
            h.put(
                    "Content-Security-Policy",
                    "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self';"
                            + " form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
            h.put("X-Content-Type-Options", "nosniff");
            h.put("X-Frame-Options", "DENY");
            h.put("Referrer-Policy", "same-origin");
            h.put(HttpHeader.CACHE_CONTROL, "no-store");
            if (request.isSecure()) {
                h.put("Strict-Transport-Security", "max-age=31536000");
            }
        }

        private static boolean staticFile(Response response, Callback callback, String name) throws IOException {
            String type = name.equals("console.css")
                    ? "text/css; charset=utf-8"
                    : name.equals("console.js") ? "text/javascript; charset=utf-8" : null;
            if (type == null) {
                return text(response, callback, 404, "not found");
            }
            try (InputStream in = ReviewConsole.class.getResourceAsStream("static/" + name)) {
                if (in == null) {
                    throw new UncheckedIOException(new IOException("missing resource " + name));
                }
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
                response.write(true, ByteBuffer.wrap(in.readAllBytes()), callback);
                return true;
            }
        }

        private static boolean html(Response response, Callback callback, int status, String body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
            response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }

        private static boolean text(Response response, Callback callback, int status, String body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.write(true, ByteBuffer.wrap((body + "\n").getBytes(StandardCharsets.UTF_8)), callback);
            return true;
        }
    }
}
