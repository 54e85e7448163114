package io.clipstream.review;

import static io.clipstream.review.ReviewFixtures.START;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.ReviewVerdict;
import io.clipstream.schema.Severity;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console over real HTTP on loopback: every security rule fails closed; a decision is published once. */
class ReviewConsoleTest {

    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    private final InMemoryReviewState state = new InMemoryReviewState();
    private final List<BankEntry> bankItems = new ArrayList<>();
    private ReviewConsole console;
    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private static String hash(String password) {
        return BCrypt.withDefaults().hashToString(4, password.toCharArray());
    }

    @BeforeEach
    void start() {
        state.add(
                ReviewFixtures.item("e1", "uploads", START, ReviewFixtures.flag("e1", "nudity", Severity.HIGH, 0.31f)));
        state.add(ReviewFixtures.item(
                "e2", "chat", START.plusSeconds(1), ReviewFixtures.flag("e2", "nudity", Severity.LOW, 0.22f)));
        ConsoleUsers users = ConsoleUsers.parse(List.of(
                "mia:moderator:" + hash("mia-pw"), "vic:viewer:" + hash("vic-pw"), "ada:admin:" + hash("ada-pw")));
        console = new ReviewConsole(
                "127.0.0.1",
                0,
                null,
                users,
                new ConsoleSessions(Duration.ofHours(1)),
                new LoginThrottle(3, 60_000),
                state,
                new DecisionDesk(state, state, Duration.ofMillis(100)),
                new BankActions(bankItems::add, "confirmed-bank", "overturned-bank"),
                Clock.fixed(START.plusSeconds(60), ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        console.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + console.port() + path);
    }

    private HttpResponse<String> get(String path, String cookie) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String cookie, Map<String, String> form)
            throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/x-www-form-urlencoded");
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookieValue(HttpResponse<?> response, String name) {
        return response.headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith(name + "="))
                .map(c -> c.substring(0, c.indexOf(';')))
                .findFirst()
                .orElseThrow();
    }

    private HttpResponse<String> attemptLogin(String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> page = get("/login", null);
        String loginCookie = cookieValue(page, ReviewConsole.LOGIN_COOKIE);
        Matcher m = CSRF.matcher(page.body());
        assertThat(m.find()).isTrue();
        return post("/login", loginCookie, Map.of("user", user, "password", password, "csrf", m.group(1)));
    }

    /** Logs in; returns the session cookie and the page's CSRF token. */
    private String[] login(String user, String password) throws IOException, InterruptedException {
        HttpResponse<String> response = attemptLogin(user, password);
        assertThat(response.statusCode()).isEqualTo(303);
        String session = cookieValue(response, ReviewConsole.SESSION_COOKIE);
        HttpResponse<String> queue = get("/", session);
        assertThat(queue.statusCode()).isEqualTo(200);
        Matcher m = CSRF.matcher(queue.body());
        assertThat(m.find()).isTrue();
        return new String[] {session, m.group(1)};
    }

    private Map<String, String> decision(String csrf, String event, String verdict, int revision) {
        Map<String, String> form = new LinkedHashMap<>();
        if (csrf != null) {
            form.put("csrf", csrf);
        }
        form.put("event", event);
        form.put("policy", "nudity");
        form.put("decision", verdict);
        form.put("revision", Integer.toString(revision));
        return form;
    }

    @Test
    void anUnauthenticatedImageRequestIsRefused() throws Exception {
        HttpResponse<String> thumb = get("/thumb?event=e1", null);
        assertThat(thumb.statusCode()).isEqualTo(401);
        assertThat(thumb.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
        assertThat(get("/thumb?event=e1", "clipstream_session=forged").statusCode())
                .isEqualTo(401);
        HttpResponse<String> queue = get("/", null);
        assertThat(queue.statusCode()).isEqualTo(303);
        assertThat(queue.headers().firstValue("location").orElseThrow()).endsWith("/login");
        assertThat(post("/decide", null, decision("x", "e1", "CONFIRMED", 0)).statusCode())
                .isEqualTo(401);
        assertThat(state.published).isEmpty();
    }

    @Test
    void aLoggedInUserGetsTheThumbnail() throws Exception {
        String[] vic = login("vic", "vic-pw");
        HttpResponse<byte[]> thumb = http.send(
                HttpRequest.newBuilder(uri("/thumb?event=e1"))
                        .header("Cookie", vic[0])
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(thumb.statusCode()).isEqualTo(200);
        assertThat(thumb.headers().firstValue("content-type")).hasValue("image/jpeg");
        assertThat(thumb.body()[0] & 0xff).isEqualTo(0xff);
        assertThat(thumb.body()[1] & 0xff).isEqualTo(0xd8);
    }

    @Test
    void aPostWithoutItsTokenIsRefused() throws Exception {
        String[] mia = login("mia", "mia-pw");
        assertThat(post("/decide", mia[0], decision(null, "e1", "CONFIRMED", 0)).statusCode())
                .isEqualTo(403);
        assertThat(post("/decide", mia[0], decision("wrong", "e1", "CONFIRMED", 0))
                        .statusCode())
                .isEqualTo(403);
        assertThat(post("/logout", mia[0], Map.of()).statusCode()).isEqualTo(403);
        HttpResponse<String> page = get("/login", null);
        assertThat(post(
                                "/login",
                                cookieValue(page, ReviewConsole.LOGIN_COOKIE),
                                Map.of("user", "mia", "password", "mia-pw"))
                        .statusCode())
                .as("login without its token")
                .isEqualTo(403);
        assertThat(state.published).isEmpty();
    }

    @Test
    void aViewerCannotDecide() throws Exception {
        String[] vic = login("vic", "vic-pw");
        assertThat(get("/", vic[0]).body()).doesNotContain("action=\"/decide\"");
        HttpResponse<String> refused = post("/decide", vic[0], decision(vic[1], "e1", "CONFIRMED", 0));
        assertThat(refused.statusCode()).isEqualTo(403);
        Map<String, String> bulk =
                new LinkedHashMap<>(Map.of("csrf", vic[1], "decision", "CONFIRMED", "flag", "e1/nudity#0"));
        assertThat(post("/decide/bulk", vic[0], bulk).statusCode()).isEqualTo(403);
        assertThat(state.published).isEmpty();
    }

    @Test
    void aDoubleClickDecidesOnceAndTheDecisionNamesItsReviewer() throws Exception {
        String[] mia = login("mia", "mia-pw");
        HttpResponse<String> first = post("/decide", mia[0], decision(mia[1], "e1", "CONFIRMED", 0));
        HttpResponse<String> second = post("/decide", mia[0], decision(mia[1], "e1", "CONFIRMED", 0));
        assertThat(first.statusCode()).isEqualTo(303);
        assertThat(second.headers().firstValue("location").orElseThrow()).contains("already+decided");
        assertThat(state.published).hasSize(1);
        var d = state.published.get(0);
        assertThat(d.getReviewer()).isEqualTo("mia");
        assertThat(d.getDecision()).isEqualTo(ReviewVerdict.CONFIRMED);
        assertThat(d.getLabelSetVersion()).isEqualTo("3");
        assertThat(d.getDecidedAt()).isEqualTo(START.plusSeconds(60));
        assertThat(d.getMatched()).extracting(m -> m.getScore()).containsExactly(0.31f);
        assertThat(get("/", mia[0]).body())
                .as("a decided flag leaves the queue")
                .doesNotContain("data-event=\"e1\"");
        // undo takes the next revision and returns the flag to the queue
        assertThat(post("/decide", mia[0], decision(mia[1], "e1", "UNDONE", 1)).statusCode())
                .isEqualTo(303);
        assertThat(state.published).hasSize(2);
        assertThat(get("/", mia[0]).body()).contains("data-event=\"e1\"");
    }

    @Test
    void bulkDecisionsAndTheQualityPage() throws Exception {
        String[] mia = login("mia", "mia-pw");
        String body = "csrf=" + URLEncoder.encode(mia[1], StandardCharsets.UTF_8)
                + "&decision=OVERTURNED&flag=e1%2Fnudity%230&flag=e2%2Fnudity%230";
        HttpResponse<String> bulk = http.send(
                HttpRequest.newBuilder(uri("/decide/bulk"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Cookie", mia[0])
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bulk.headers().firstValue("location").orElseThrow()).contains("2+of+2+decided");
        assertThat(state.published).extracting(d -> d.getEventId()).containsExactlyInAnyOrder("e1", "e2");
        String quality = get("/quality", mia[0]).body();
        assertThat(quality)
                .contains(
                        "<td class=\"reviewed\">2</td>",
                        "<td class=\"overturned\">2</td>",
                        "<td class=\"precision\">0.0%</td>",
                        "<svg class=\"chart\"");
    }

    @Test
    void onlyAnAdminAddsToABankAndOnlyWhatWasDecidedSo() throws Exception {
        String[] mia = login("mia", "mia-pw");
        post("/decide", mia[0], decision(mia[1], "e1", "CONFIRMED", 0));
        Map<String, String> add = new LinkedHashMap<>(Map.of("csrf", mia[1], "event", "e1", "policy", "nudity"));
        assertThat(post("/bank/add", mia[0], add).statusCode()).isEqualTo(403);
        String[] ada = login("ada", "ada-pw");
        add.put("csrf", ada[1]);
        assertThat(post("/bank/not-again", ada[0], add).statusCode())
                .as("e1 was confirmed, not overturned")
                .isEqualTo(409);
        assertThat(post("/bank/add", ada[0], add).statusCode()).isEqualTo(303);
        assertThat(bankItems).hasSize(1);
        assertThat(bankItems.get(0).getBank()).isEqualTo("confirmed-bank");
        var item = (io.clipstream.schema.BankItem) bankItems.get(0).getBody();
        assertThat(item.getId()).isEqualTo("e1");
        assertThat(item.getAddedBy()).isEqualTo("ada");
        assertThat(item.getPdq()).hasSize(64);
    }

    @Test
    void cookiesAreHttpOnlyAndStrictAndLoginsAreThrottled() throws Exception {
        HttpResponse<String> ok = attemptLogin("mia", "mia-pw");
        String setCookie = ok.headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith(ReviewConsole.SESSION_COOKIE + "="))
                .findFirst()
                .orElseThrow();
        assertThat(setCookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        for (int i = 0; i < 3; i++) {
            assertThat(attemptLogin("mia", "guess-" + i).statusCode()).isEqualTo(401);
        }
        assertThat(attemptLogin("mia", "mia-pw").statusCode())
                .as("the right password, after 3 failures")
                .isEqualTo(429);
    }
}
