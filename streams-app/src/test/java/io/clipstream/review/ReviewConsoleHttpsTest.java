package io.clipstream.review;

import static io.clipstream.review.ReviewFixtures.START;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a key store the console serves HTTPS only, and its cookies are Secure. */
class ReviewConsoleHttpsTest {

    @TempDir
    Path dir;

    @Test
    void aKeyStoreTurnsOnHttpsAndSecureCookies() throws Exception {
        Path keyStore = dir.resolve("console.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "console",
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=localhost",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keyStore.toString(),
                        "-storepass",
                        "changeit",
                        "-keypass",
                        "changeit",
                        "-ext",
                        "SAN=ip:127.0.0.1")
                .redirectErrorStream(true)
                .start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue())
                .as(new String(keytool.getInputStream().readAllBytes()))
                .isZero();

        InMemoryReviewState state = new InMemoryReviewState();
        ConsoleUsers users = ConsoleUsers.parse(
                List.of("mia:moderator:" + BCrypt.withDefaults().hashToString(4, "pw".toCharArray())));
        try (ReviewConsole console = new ReviewConsole(
                "127.0.0.1",
                0,
                new ReviewConsole.Tls(keyStore, "changeit", "PKCS12"),
                users,
                new ConsoleSessions(Duration.ofHours(1)),
                new LoginThrottle(5, 60_000),
                state,
                new DecisionDesk(state, state, Duration.ZERO),
                null,
                Clock.fixed(START, ZoneOffset.UTC))) {
            assertThat(console.url()).startsWith("https://127.0.0.1:");
            HttpClient https =
                    HttpClient.newBuilder().sslContext(trusting(keyStore)).build();
            HttpResponse<String> login = https.send(
                    HttpRequest.newBuilder(URI.create(console.url() + "login")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(login.headers().allValues("set-cookie")).anySatisfy(c -> assertThat(c)
                    .startsWith(ReviewConsole.LOGIN_COOKIE + "=")
                    .containsIgnoringCase("Secure")
                    .containsIgnoringCase("HttpOnly")
                    .containsIgnoringCase("SameSite=Strict"));
            assertThat(login.headers().firstValue("strict-transport-security")).isPresent();
            HttpClient plain = HttpClient.newHttpClient();
            URI http = URI.create("http://127.0.0.1:" + console.port() + "/login");
            HttpResponse<String> plainAnswer = null;
            try {
                plainAnswer = plain.send(
                        HttpRequest.newBuilder(http)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException expected) {
                // refused at the TLS layer
            }
            assertThat(plainAnswer == null || plainAnswer.statusCode() == 400)
                    .as("plain HTTP gets no page")
                    .isTrue();
        }
    }

    private static SSLContext trusting(Path keyStore) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("console", keys.getCertificate("console"));
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
