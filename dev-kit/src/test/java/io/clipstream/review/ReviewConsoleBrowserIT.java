package io.clipstream.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clipstream.demo.DemoSettings;
import io.clipstream.demo.EmbeddedDemo;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewVerdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The review console in a real headless Chromium: the demo runs with --keep-running (processor, review items,
 * console), then tools/browser-test/review-console.mjs logs in, reveals a thumbnail, confirms one flag and
 * overturns another with the keyboard, checks the quality page and that a viewer cannot decide; this test then
 * finds both decisions on review-decisions (read_committed). The screenshots it takes are the README's. Skips when
 * /usr/bin/chromium, node or tools/browser-test/node_modules is absent (.ci/run installs them).
 */
class ReviewConsoleBrowserIT {

    private static final Path TOOL = Path.of("..", "tools", "browser-test");

    @Test
    void aModeratorReviewsTheDemosFlagsInChromium() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/chromium")), "no /usr/bin/chromium (apt-get install chromium)");
        assumeTrue(
                Files.isDirectory(TOOL.resolve("node_modules/playwright-core")),
                "no playwright-core (npm install in tools/browser-test)");
        assumeTrue(nodeRuns(), "no node on the PATH");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream progress = new PrintStream(new Tee(captured, System.err), true, StandardCharsets.UTF_8);
        Path images = Path.of("..", "models", "tiny-shapes", "demo-images");
        Thread demo = new Thread(
                () -> {
                    try {
                        new EmbeddedDemo(
                                        new DemoSettings(
                                                Path.of("..", "models", "tiny-shapes"),
                                                List.of(Path.of("..", "label-sets", "tiny-shapes.yaml")),
                                                images,
                                                0,
                                                false,
                                                true),
                                        progress,
                                        progress)
                                .run();
                    } catch (Exception e) {
                        progress.println("demo failed: " + e);
                    }
                },
                "browser-it-demo");
        demo.start();
        try {
            String log = await(captured, "demo login: viewer / ", Duration.ofMinutes(5));
            String url = find(log, "Review console: (\\S+)");
            String kafka = find(log, "Still running \\(Ctrl-C stops\\): Kafka ([^,]+),");
            Path shots = Path.of("target", "screenshots");
            Files.createDirectories(shots);
            ProcessBuilder node = new ProcessBuilder(
                            "node", TOOL.resolve("review-console.mjs").toString(), url, shots.toString())
                    .redirectErrorStream(true);
            node.environment()
                    .putAll(Map.of(
                            "MOD_USER",
                            "moderator",
                            "MOD_PASSWORD",
                            find(log, "demo login: moderator / (\\S+)"),
                            "VIEWER_USER",
                            "viewer",
                            "VIEWER_PASSWORD",
                            find(log, "demo login: viewer / (\\S+)")));
            Process process = node.start();
            boolean done = process.waitFor(3, TimeUnit.MINUTES);
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!done) {
                process.destroyForcibly();
            }
            assertThat(done).as("the browser script finished").isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            String confirmed = find(output, "CONFIRMED (\\S+)");
            String overturned = find(output, "OVERTURNED (\\S+)");

            var deserializer = AvroSerdes.serde(
                            ReviewDecision.class,
                            ReviewDecision.getClassSchema(),
                            InMemorySchemaRegistry.scope(
                                    "demo-" + ProcessHandle.current().pid()),
                            false,
                            false)
                    .deserializer();
            List<ReviewDecision> decisions = DecisionReader.readAll(
                    Map.of("bootstrap.servers", kafka), "review-decisions", deserializer, Duration.ofSeconds(30));
            assertThat(decisions)
                    .extracting(
                            d -> DecisionLedger.key(d.getEventId(), d.getPolicyId()),
                            ReviewDecision::getDecision,
                            ReviewDecision::getReviewer)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(confirmed, ReviewVerdict.CONFIRMED, "moderator"),
                            org.assertj.core.groups.Tuple.tuple(overturned, ReviewVerdict.OVERTURNED, "moderator"));
            assertThat(shots.resolve("review-queue.png")).isNotEmptyFile();
            assertThat(shots.resolve("review-quality.png")).isNotEmptyFile();
        } finally {
            demo.interrupt();
            demo.join(TimeUnit.SECONDS.toMillis(90));
        }
    }

    private static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String await(ByteArrayOutputStream captured, String text, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String log;
            synchronized (captured) {
                log = captured.toString(StandardCharsets.UTF_8);
            }
            if (log.contains(text) && log.substring(log.indexOf(text)).contains("\n")) {
                return log;
            }
            if (System.nanoTime() > deadline || log.contains("demo failed")) {
                throw new AssertionError("the demo never printed '" + text + "':\n" + log);
            }
            Thread.sleep(200);
        }
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("'%s' in:%n%s", regex, text).isTrue();
        return m.group(1);
    }

    /** Writes to both streams (the log is kept for parsing and shown). */
    private static final class Tee extends OutputStream {
        private final ByteArrayOutputStream copy;
        private final OutputStream out;

        Tee(ByteArrayOutputStream copy, OutputStream out) {
            this.copy = copy;
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            synchronized (copy) {
                copy.write(b);
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (copy) {
                copy.write(b, off, len);
            }
            out.write(b, off, len);
        }
    }
}
