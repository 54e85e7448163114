package io.clipstream.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.cli.ClipstreamCommand;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.observe.PipelineMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import picocli.CommandLine;

/**
 * Keeps {@code deploy/} honest against the code: every manifest parses, every {@code CLIPSTREAM_*} variable and
 * every properties key is a real configuration key (with a valid value), probes and scrape paths are the endpoints
 * the app serves on the port it binds, the dashboard queries metrics the app exports, the Dockerfiles copy paths
 * that exist (and are not in .dockerignore), and the commands the containers run are real subcommands.
 * The working directory is {@code streams-app/}, so the repository root is {@code ..}.
 */
class DeployManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final Path K8S = DEPLOY.resolve("kubernetes");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Variables the launcher and logging read, which are not configuration keys. */
    private static final Set<String> LAUNCHER_VARIABLES =
            Set.of("CLIPSTREAM_JAVA_OPTS", "CLIPSTREAM_LOG_LEVEL", "CLIPSTREAM_DEBUG", "CLIPSTREAM_HOME");

    private static final String KAFKA_ENV_PREFIX = ClipStreamConfig.ENV_PREFIX + "KAFKA_";
    private static final int DEFAULT_HTTP_PORT =
            (Integer) ClipStreamConfig.definition().configKeys().get(ClipStreamConfig.HTTP_PORT).defaultValue;

    // ---------------------------------------------------------------------------------------------------------
    // Parsing
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void everyYamlAndJsonFileUnderDeployParses() throws IOException {
        List<Path> files = deployFiles().stream()
                .filter(p -> isYaml(p) || p.toString().endsWith(".json"))
                .toList();
        assertThat(files).as("manifests under deploy/").hasSizeGreaterThanOrEqualTo(15);
        List<String> failures = new ArrayList<>();
        for (Path file : files) {
            try {
                if (isYaml(file)) {
                    List<Object> documents = yamlDocuments(file);
                    assertThat(documents)
                            .as(rel(file) + " has no YAML document")
                            .isNotEmpty();
                } else {
                    JSON.readTree(file.toFile());
                }
            } catch (Exception | AssertionError e) {
                failures.add(rel(file) + ": " + e.getMessage());
            }
        }
        assertThat(failures).as("files that do not parse").isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Configuration keys and values
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void everyClipstreamVariableNamedUnderDeployMapsToARealKey() throws IOException {
        Set<String> known = ClipStreamConfig.definition().names().stream()
                .map(ClipStreamConfig::envFor)
                .collect(Collectors.toSet());
        Pattern variable = Pattern.compile("\\bCLIPSTREAM_[A-Z0-9_]*");
        Map<String, String> unknown = new TreeMap<>();
        int seen = 0;
        for (Path file : deployFiles()) {
            Matcher m = variable.matcher(Files.readString(file));
            while (m.find()) {
                String name = m.group();
                seen++;
                boolean prefixMention = name.equals(ClipStreamConfig.ENV_PREFIX) || name.equals(KAFKA_ENV_PREFIX);
                boolean ok = prefixMention
                        || known.contains(name)
                        || LAUNCHER_VARIABLES.contains(name)
                        || (name.startsWith(KAFKA_ENV_PREFIX) && !name.endsWith("_"));
                if (!ok) {
                    unknown.put(name, rel(file));
                }
            }
        }
        assertThat(seen).as("CLIPSTREAM_* variables found under deploy/").isGreaterThan(10);
        assertThat(unknown)
                .as("CLIPSTREAM_* variables naming no configuration key (variable -> file)")
                .isEmpty();
    }

    @Test
    void configMapPropertiesAreRealKeysWithValidValues() throws IOException {
        Properties properties = configMapProperties();
        assertThat(properties).as("clipstream.properties").isNotEmpty();
        Set<String> names = ClipStreamConfig.definition().names();
        for (String key : properties.stringPropertyNames()) {
            assertThat(names.contains(key) || key.startsWith(ClipStreamConfig.KAFKA_PREFIX))
                    .as("configmap.yaml clipstream.properties key '%s' is no configuration key", key)
                    .isTrue();
        }
        // the app's own loader: types, ranges and validators (e.g. inference.device) as at start-up
        ClipStreamConfig.from(asMap(properties), Map.of());
    }

    @Test
    void containerEnvironmentsAreAcceptedByTheApp() throws IOException {
        Map<String, String> properties = asMap(configMapProperties());
        for (Map<String, Object> container : appContainers()) {
            Map<String, String> env = containerEnv(container);
            ClipStreamConfig.from(properties, env); // throws ConfigException naming the key
        }
        Map<String, String> compose = composeEnv(composeService("clipstream"));
        assertThat(compose)
                .containsKeys("CLIPSTREAM_BOOTSTRAP_SERVERS", "CLIPSTREAM_SCHEMA_REGISTRY_URL", "CLIPSTREAM_MODEL_DIR");
        ClipStreamConfig.from(Map.of(), compose);
        ClipStreamConfig.from(Map.of(), composeEnv(composeFileService("docker-compose.gpu.yml", "clipstream")));
    }

    @Test
    void deploymentsKeepEmbeddingsLongEnoughToReScorePastTraffic() throws IOException {
        ClipStreamConfig k8s = ClipStreamConfig.from(asMap(configMapProperties()), Map.of());
        ClipStreamConfig compose = ClipStreamConfig.from(Map.of(), composeEnv(composeService("clipstream")));
        for (ClipStreamConfig config : List.of(k8s, compose)) {
            assertThat(config.getBoolean(ClipStreamConfig.OUTPUT_EMBEDDINGS_ENABLED))
                    .as("labels impact and backfill read the embeddings topic")
                    .isTrue();
            assertThat(config.getLong(ClipStreamConfig.TOPIC_IMAGE_EMBEDDINGS_RETENTION_MS))
                    .as("the embeddings topic's retention bounds how far back impact and backfill reach")
                    .isEqualTo(30L * 24 * 3600 * 1000);
        }
    }

    @Test
    void gpuManifestsAskForCuda() throws IOException {
        Map<String, Object> gpu = container(singleDocument(K8S.resolve("deployment-gpu.yaml")));
        ClipStreamConfig config = ClipStreamConfig.from(asMap(configMapProperties()), containerEnv(gpu));
        assertThat(config.getString(ClipStreamConfig.INFERENCE_DEVICE)).startsWith("cuda");
        Map<String, Object> limits = map(map(gpu.get("resources")).get("limits"));
        assertThat(String.valueOf(limits.get("nvidia.com/gpu"))).isEqualTo("1");
        assertThat(dockerfile("Dockerfile.cuda")).contains("-Pgpu").contains("CLIPSTREAM_INFERENCE_DEVICE=cuda:0");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Probes, ports, pod hardening
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void kubernetesProbesAreHealthAndReadyOnTheHttpPort() throws IOException {
        Map<String, String> properties = asMap(configMapProperties());
        for (String file : List.of("deployment.yaml", "deployment-gpu.yaml")) {
            Map<String, Object> deployment = singleDocument(K8S.resolve(file));
            Map<String, Object> pod = podSpec(deployment);
            Map<String, Object> container = container(deployment);
            int httpPort =
                    ClipStreamConfig.from(properties, containerEnv(container)).getInt(ClipStreamConfig.HTTP_PORT);
            Map<String, Integer> ports = containerPorts(container);
            assertThat(ports).as(file + " container ports").containsEntry("http", httpPort);

            assertThat(probePath(container, "livenessProbe"))
                    .as(file + " liveness")
                    .isEqualTo("/health");
            assertThat(probePath(container, "readinessProbe"))
                    .as(file + " readiness")
                    .isEqualTo("/ready");
            assertThat(probePath(container, "startupProbe"))
                    .as(file + " startup")
                    .isIn("/health", "/ready");
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(resolvePort(httpGet(container, probe).get("port"), ports))
                        .as(file + " " + probe + " port")
                        .isEqualTo(httpPort);
            }

            Map<String, String> annotations = stringMap(
                    map(map(map(deployment.get("spec")).get("template")).get("metadata"))
                            .get("annotations"));
            assertThat(annotations)
                    .as(file + " scrape annotations")
                    .containsEntry("prometheus.io/path", "/metrics")
                    .containsEntry("prometheus.io/port", Integer.toString(httpPort));

            assertThat(((Number) pod.get("terminationGracePeriodSeconds")).intValue())
                    .as(file + " grace period")
                    .isGreaterThanOrEqualTo(60);
            // a Service named clipstream would inject variables starting with CLIPSTREAM_, which the app refuses
            assertThat(pod.get("enableServiceLinks"))
                    .as(file + " enableServiceLinks")
                    .isEqualTo(false);
            assertThat(map(pod.get("securityContext")).get("runAsNonRoot"))
                    .as(file + " runAsNonRoot")
                    .isEqualTo(true);
            Map<String, Object> security = map(container.get("securityContext"));
            assertThat(security.get("readOnlyRootFilesystem"))
                    .as(file + " read-only root")
                    .isEqualTo(true);
            assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);

            String stateDir =
                    ClipStreamConfig.from(properties, containerEnv(container)).getString(ClipStreamConfig.STATE_DIR);
            assertThat(emptyDirMounts(pod, container))
                    .as(file + " writable emptyDir mounts")
                    .contains(stateDir, "/tmp");
            Map<String, Object> resources = map(container.get("resources"));
            assertThat(map(resources.get("requests"))).as(file + " requests").containsKeys("cpu", "memory");
            assertThat(map(resources.get("limits"))).as(file + " limits").containsKey("memory");
        }
    }

    @Test
    void processorsAreStatefulSetsWhosePodNameIsTheInstanceId() throws IOException {
        for (String file : List.of("deployment.yaml", "deployment-gpu.yaml")) {
            Map<String, Object> manifest = singleDocument(K8S.resolve(file));
            assertThat(manifest.get("kind")).as(file + " kind").isEqualTo("StatefulSet");
            Map<String, Object> spec = map(manifest.get("spec"));
            assertThat(spec.get("serviceName")).as(file + " serviceName").isEqualTo("clipstream");
            Map<String, Object> instanceId = null;
            for (Object o : list(container(manifest).get("env"))) {
                if (ClipStreamConfig.envFor(ClipStreamConfig.INSTANCE_ID).equals(map(o).get("name"))) {
                    instanceId = map(o);
                }
            }
            assertThat(instanceId)
                    .as(file + " sets " + ClipStreamConfig.envFor(ClipStreamConfig.INSTANCE_ID))
                    .isNotNull();
            assertThat(map(map(instanceId.get("valueFrom")).get("fieldRef")).get("fieldPath"))
                    .as(file + " instance id from the pod name")
                    .isEqualTo("metadata.name");
        }
    }

    @Test
    void serviceExposesTheMetricsPortWithScrapeAnnotations() throws IOException {
        Map<String, Object> service = singleDocument(K8S.resolve("service.yaml"));
        Map<String, Object> deployment = singleDocument(K8S.resolve("deployment.yaml"));
        Map<String, Object> container = container(deployment);
        int httpPort = ClipStreamConfig.from(asMap(configMapProperties()), containerEnv(container))
                .getInt(ClipStreamConfig.HTTP_PORT);
        Map<String, String> annotations = stringMap(map(service.get("metadata")).get("annotations"));
        assertThat(annotations)
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/path", "/metrics")
                .containsEntry("prometheus.io/port", Integer.toString(httpPort));
        Map<String, Object> spec = map(service.get("spec"));
        Map<String, Object> port = map(list(spec.get("ports")).get(0));
        assertThat(resolvePort(port.get("targetPort"), containerPorts(container)))
                .isEqualTo(httpPort);
        // the selector picks the app's pods
        Map<String, String> podLabels =
                stringMap(map(map(map(deployment.get("spec")).get("template")).get("metadata"))
                        .get("labels"));
        assertThat(podLabels).containsAllEntriesOf(stringMap(spec.get("selector")));
    }

    @Test
    void composeHealthcheckAndPortsUseTheHttpPort() throws IOException {
        Map<String, Object> app = composeService("clipstream");
        int httpPort = ClipStreamConfig.from(Map.of(), composeEnv(app)).getInt(ClipStreamConfig.HTTP_PORT);
        String test = String.join(" ", strings(map(app.get("healthcheck")).get("test")));
        assertThat(test)
                .as("compose healthcheck")
                .contains("/dev/tcp/127.0.0.1/" + httpPort)
                .contains("GET /health ");
        assertThat(strings(app.get("ports"))).as("compose ports").anySatisfy(p -> assertThat(p)
                .endsWith(":" + httpPort));
        for (String file : List.of("Dockerfile", "Dockerfile.cuda")) {
            String dockerfile = dockerfile(file);
            assertThat(instructions(dockerfile, "EXPOSE"))
                    .as(file + " EXPOSE")
                    .containsExactly(Integer.toString(DEFAULT_HTTP_PORT));
            assertThat(String.join(" ", instructions(dockerfile, "HEALTHCHECK")))
                    .as(file + " HEALTHCHECK")
                    .contains("GET /health ")
                    .contains("CLIPSTREAM_HTTP_PORT:-" + DEFAULT_HTTP_PORT);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Prometheus and Grafana
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void prometheusScrapesMetricsOnTheHttpPort() throws IOException {
        Map<String, Object> config = singleDocument(DEPLOY.resolve("prometheus/prometheus.yml"));
        List<Object> jobs = list(config.get("scrape_configs"));
        assertThat(jobs).isNotEmpty();
        int composePort = ClipStreamConfig.from(Map.of(), composeEnv(composeService("clipstream")))
                .getInt(ClipStreamConfig.HTTP_PORT);
        boolean scrapesApp = false;
        for (Object o : jobs) {
            Map<String, Object> job = map(o);
            assertThat(Objects.requireNonNullElse(job.get("metrics_path"), "/metrics"))
                    .as("metrics_path")
                    .isEqualTo("/metrics");
            for (Object sc : list(job.get("static_configs"))) {
                for (String target : strings(map(sc).get("targets"))) {
                    if (target.startsWith("clipstream:")) {
                        scrapesApp = true;
                        assertThat(target).isEqualTo("clipstream:" + composePort);
                    }
                }
            }
        }
        assertThat(scrapesApp)
                .as("a scrape target on the compose service clipstream")
                .isTrue();
    }

    @Test
    void dashboardQueriesOnlyMetricsTheAppExports() throws IOException {
        Set<String> exported = exportedMetricNames();
        assertThat(exported).contains("clipstream_events_in_total", "clipstream_inference_latency_seconds");
        JsonNode dashboard =
                JSON.readTree(DEPLOY.resolve("grafana/dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        dashboard.findValues("expr").forEach(n -> expressions.add(n.asText()));
        assertThat(expressions).as("dashboard queries").hasSizeGreaterThan(10);
        Map<String, String> unknown = new TreeMap<>();
        Set<String> used = new TreeSet<>();
        for (String expr : expressions) {
            for (String name : metricNames(expr)) {
                used.add(name);
                if (!exported.contains(name) && !name.startsWith("kafka_") && !name.equals("up")) {
                    unknown.put(name, expr);
                }
            }
        }
        Pattern labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m = labelValues.matcher(variable.path("definition").asText());
            while (m.find()) {
                used.add(m.group(1));
                if (!exported.contains(m.group(1))) {
                    unknown.put(m.group(1), variable.path("definition").asText());
                }
            }
        }
        assertThat(unknown)
                .as("metrics the dashboard queries but the app does not export (name -> query)")
                .isEmpty();
        // the panels the issue asks for
        assertThat(used)
                .contains(
                        "clipstream_events_in_total",
                        "clipstream_tags_out_total",
                        "clipstream_flush_size_sum",
                        "clipstream_inference_batch_size_sum",
                        "clipstream_inference_latency_seconds",
                        "clipstream_end_to_end_latency_seconds",
                        "clipstream_flags_out_total",
                        "clipstream_dead_letters_total",
                        "kafka_consumer_fetch_manager_records_lag_max",
                        "clipstream_label_set_version");
    }

    @Test
    void grafanaProvisioningPointsAtTheMountedDashboard() throws IOException {
        Map<String, Object> grafana = composeService("grafana");
        Map<String, String> mounts = new LinkedHashMap<>();
        for (String volume : strings(grafana.get("volumes"))) {
            String[] parts = volume.split(":");
            mounts.put(parts[1], parts[0]);
        }
        Map<String, Object> provider =
                map(list(singleDocument(DEPLOY.resolve("grafana/provisioning/dashboards/clipstream.yml"))
                                .get("providers"))
                        .get(0));
        String folder = String.valueOf(map(provider.get("options")).get("path"));
        assertThat(mounts).as("grafana mounts").anySatisfy((target, source) -> {
            assertThat(target).startsWith(folder + "/");
            assertThat(DEPLOY.resolve(source).normalize()).isEqualTo(DEPLOY.resolve("grafana/dashboard.json"));
        });
        assertThat(mounts).containsEntry("/etc/grafana/provisioning", "./grafana/provisioning");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Docker
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void dockerImagesShipTheNativeJpegDecoderAndRequireIt() throws IOException {
        for (String file : List.of("Dockerfile", "Dockerfile.cuda")) {
            String dockerfile = dockerfile(file);
            String runtime = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
            assertThat(String.join(" ", instructions(runtime, "RUN")))
                    .as(file + " runtime stage")
                    .contains("apt-get install -y --no-install-recommends libturbojpeg0");
            Map<String, String> env = new java.util.HashMap<>();
            for (String e : instructions(runtime, "ENV")) {
                for (String pair : e.strip().split("\\s+")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        env.put(pair.substring(0, eq), pair.substring(eq + 1));
                    }
                }
            }
            ClipStreamConfig config = ClipStreamConfig.from(Map.of(), env);
            assertThat(config.getString(ClipStreamConfig.PREPROCESS_JPEG_DECODER))
                    .as(file)
                    .isEqualTo("turbojpeg");
        }
    }

    @Test
    void dockerfilesCopyPathsThatExistAndAreInTheBuildContext() throws IOException {
        List<String> ignore = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
        for (String file : List.of("Dockerfile", "Dockerfile.cuda")) {
            String dockerfile = dockerfile(file);
            Set<String> sources = new TreeSet<>();
            String appJar = null;
            boolean libCopied = false;
            for (String copy : instructions(dockerfile, "COPY")) {
                List<String> words = new ArrayList<>(List.of(copy.strip().split("\\s+")));
                boolean fromStage = words.stream().anyMatch(w -> w.startsWith("--from="));
                words.removeIf(w -> w.startsWith("--"));
                String destination = words.remove(words.size() - 1);
                if (fromStage) {
                    if (words.get(0).endsWith("/clipstream.jar")) {
                        appJar = destination;
                    }
                    libCopied |= words.get(0).endsWith("target/lib/") && destination.equals("/app/lib/");
                    continue;
                }
                sources.addAll(words);
            }
            assertThat(sources)
                    .as(file + " copies")
                    .contains("mvnw", "pom.xml", ".mvn", "schemas", "streams-app", "label-sets");
            for (String source : sources) {
                String path = source.replaceAll("/+$", "");
                assertThat(ROOT.resolve(path)).as(file + " COPY " + source).exists();
                assertThat(ignoredBy(path, ignore))
                        .as(file + " COPY " + source + " is excluded by .dockerignore")
                        .isNull();
            }
            assertThat(appJar)
                    .as(file + " copies the jar to /app/clipstream.jar")
                    .isEqualTo("/app/clipstream.jar");
            assertThat(libCopied)
                    .as(file + " copies target/lib/ next to the jar (manifest Class-Path lib/)")
                    .isTrue();
            String entrypoint = String.join(" ", instructions(dockerfile, "ENTRYPOINT"));
            assertThat(entrypoint)
                    .as(file + " ENTRYPOINT")
                    .contains("\"-jar\", \"/app/clipstream.jar\"")
                    .contains("MaxRAMPercentage");
            assertThat(instructions(dockerfile, "USER"))
                    .as(file + " USER")
                    .isNotEmpty()
                    .allSatisfy(
                            u -> assertThat(u.strip()).doesNotStartWith("root").doesNotStartWith("0"));
            assertThat(dockerfile).as(file + " builds with the wrapper").contains("./mvnw -B");
            List<String> cmd = jsonArray(String.join(" ", instructions(dockerfile, "CMD")));
            assertCommandParses(file + " CMD", cmd);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Commands
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void commandsRunByComposeAndKubernetesAreRealSubcommands() throws IOException {
        int checked = 0;
        Map<String, Object> services = map(composeFile("docker-compose.yml").get("services"));
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Map<String, Object> service = map(e.getValue());
            if (!usesAppImage(service)) {
                continue;
            }
            assertThat(service.get("entrypoint"))
                    .as("compose " + e.getKey() + " keeps the image's entrypoint")
                    .isNull();
            assertCommandParses("compose service " + e.getKey(), strings(service.get("command")));
            checked++;
        }
        for (Path file : k8sFiles()) {
            for (Object document : yamlDocuments(file)) {
                for (Map<String, Object> container : containersOf(map(document))) {
                    if (!String.valueOf(container.get("image")).startsWith("clipstream")) {
                        continue;
                    }
                    assertThat(container.get("command"))
                            .as(rel(file) + " keeps the image's entrypoint")
                            .isNull();
                    assertCommandParses(
                            rel(file) + " container " + container.get("name"), strings(container.get("args")));
                    checked++;
                }
            }
        }
        assertThat(checked).as("app containers checked").isGreaterThanOrEqualTo(6);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Label sets
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void labelSetConfigMapMatchesTheRepositoryLabelSets() throws Exception {
        Map<String, Object> configMap = singleDocument(K8S.resolve("label-sets-configmap.yaml"));
        Map<String, String> data = stringMap(configMap.get("data"));
        assertThat(data).isNotEmpty();
        for (Map.Entry<String, String> e : data.entrySet()) {
            Path source = ROOT.resolve("label-sets").resolve(e.getKey());
            assertThat(source).as("label-sets/" + e.getKey()).exists();
            assertThat(e.getValue())
                    .as("deploy/kubernetes/label-sets-configmap.yaml data." + e.getKey() + " differs from label-sets/"
                            + e.getKey() + ": regenerate it (see the file's header)")
                    .isEqualTo(Files.readString(source));
            LabelSetParser.parse(e.getKey(), e.getValue());
        }
        // the files the compose publisher and the k8s Job publish are there
        assertThat(ROOT.resolve("label-sets/tiny-shapes.yaml")).exists();
        assertThat(ROOT.resolve("models/tiny-shapes/demo-images")).isDirectory();
    }

    @Test
    void composeBindMountsExist() throws IOException {
        for (String compose : List.of("docker-compose.yml", "docker-compose.gpu.yml")) {
            for (Map.Entry<String, Object> e :
                    map(composeFile(compose).get("services")).entrySet()) {
                Map<String, Object> service = map(e.getValue());
                for (String volume : strings(service.get("volumes"))) {
                    String source = volume.split(":")[0];
                    if (source.startsWith(".")) {
                        assertThat(DEPLOY.resolve(source).normalize())
                                .as(compose + " " + e.getKey() + " " + volume)
                                .exists();
                    }
                }
                if (service.get("build") instanceof Map<?, ?> build) {
                    Path context =
                            DEPLOY.resolve(String.valueOf(build.get("context"))).normalize();
                    assertThat(context).isEqualTo(ROOT);
                    assertThat(context.resolve(String.valueOf(build.get("dockerfile"))))
                            .exists();
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    private static void assertCommandParses(String where, List<String> args) {
        assertThat(args).as(where + " command").isNotEmpty();
        CommandLine cli = ClipstreamCommand.commandLine();
        // walk the subcommand path: it must end at a leaf command (labels alone only prints usage)
        CommandLine current = cli;
        int i = 0;
        while (i < args.size() && current.getSubcommands().containsKey(args.get(i))) {
            current = current.getSubcommands().get(args.get(i));
            i++;
        }
        assertThat(i)
                .as(where + ": '" + args.get(0) + "' is no subcommand of clipstream")
                .isPositive();
        assertThat(current.getSubcommands())
                .as(where + ": '" + String.join(" ", args.subList(0, i)) + "' needs a subcommand")
                .isEmpty();
        try {
            cli.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            fail(where + ": clipstream " + String.join(" ", args) + " does not parse: " + e.getMessage());
        }
    }

    /** Every series name the app's registry exposes: PipelineMetrics (one of each recorded) and the JVM memory. */
    private static Set<String> exportedMetricNames() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        PipelineMetrics metrics = new PipelineMetrics(registry, "cpu");
        metrics.eventIn();
        metrics.tagsOut(2);
        metrics.flagOut("policy", "block");
        metrics.deadLetter("CORRUPT");
        metrics.flushed(4);
        metrics.inferenceRun(8, 5_000_000L);
        metrics.endToEnd(Duration.ofMillis(30));
        metrics.labelSetActive("set", "2");
        metrics.labelSetRefused("other");
        metrics.labelSetScored("set", "shadow", 3);
        metrics.labelSetFlag("set", "shadow", "policy");
        Set<String> names = new TreeSet<>();
        for (String line : registry.scrape().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        registry.close();
        return names;
    }

    private static final Set<String> PROMQL_WORDS = Set.of(
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "inf",
            "nan");

    /** The metric names a PromQL expression selects (identifiers outside strings, matchers, ranges, groupings). */
    static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\{?\\w+}?", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w.])[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(s);
        while (m.find()) {
            String rest = s.substring(m.end()).stripLeading();
            if (!rest.startsWith("(") && !PROMQL_WORDS.contains(m.group().toLowerCase(java.util.Locale.ROOT))) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The first .dockerignore pattern that excludes {@code path} (or one of its parents), or null. */
    private static String ignoredBy(String path, List<String> patterns) {
        for (String pattern : patterns) {
            if (pattern.startsWith("!")) {
                continue;
            }
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern.replaceAll("/+$", ""));
            for (Path p = Path.of(path); p != null; p = p.getParent()) {
                if (matcher.matches(p)) {
                    return pattern;
                }
            }
        }
        return null;
    }

    private static String dockerfile(String name) throws IOException {
        return Files.readString(DEPLOY.resolve(name));
    }

    /** The arguments of every instruction {@code keyword} in a Dockerfile, continuation lines joined. */
    private static List<String> instructions(String dockerfile, String keyword) {
        String joined = dockerfile.replaceAll("\\\\\\r?\\n", " ");
        List<String> found = new ArrayList<>();
        for (String line : joined.split("\\R")) {
            String t = line.strip();
            if (t.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1)) {
                found.add(t.substring(keyword.length() + 1).strip());
            }
        }
        return found;
    }

    private static List<String> jsonArray(String text) throws IOException {
        List<String> out = new ArrayList<>();
        JSON.readTree(text).forEach(n -> out.add(n.asText()));
        return out;
    }

    private static boolean usesAppImage(Map<String, Object> service) {
        return String.valueOf(service.get("image")).startsWith("clipstream")
                || (service.get("build") instanceof Map<?, ?> b
                        && String.valueOf(b.get("dockerfile")).startsWith("deploy/Dockerfile"));
    }

    private static Properties configMapProperties() throws IOException {
        Map<String, Object> configMap = singleDocument(K8S.resolve("configmap.yaml"));
        String text = stringMap(configMap.get("data")).get("clipstream.properties");
        assertThat(text).as("configmap.yaml data.clipstream.properties").isNotNull();
        Properties properties = new Properties();
        properties.load(new StringReader(text));
        return properties;
    }

    private static Map<String, String> asMap(Properties properties) {
        Map<String, String> map = new TreeMap<>();
        properties.forEach((k, v) -> map.put(k.toString(), v.toString().strip()));
        return map;
    }

    /** The clipstream containers of the two Deployments. */
    private static List<Map<String, Object>> appContainers() throws IOException {
        return List.of(
                container(singleDocument(K8S.resolve("deployment.yaml"))),
                container(singleDocument(K8S.resolve("deployment-gpu.yaml"))));
    }

    private static Map<String, Object> podSpec(Map<String, Object> workload) {
        return map(map(map(workload.get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> container(Map<String, Object> deployment) {
        return containersOf(deployment).stream()
                .filter(c -> "clipstream".equals(c.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container named clipstream"));
    }

    private static List<Map<String, Object>> containersOf(Map<String, Object> document) {
        if (document == null
                || !(document.get("spec") instanceof Map<?, ?> spec)
                || !(spec.get("template") instanceof Map<?, ?>)) {
            return List.of();
        }
        Map<String, Object> pod = podSpec(document);
        List<Map<String, Object>> containers = new ArrayList<>();
        for (String key : List.of("initContainers", "containers")) {
            if (pod.get(key) != null) {
                list(pod.get(key)).forEach(c -> containers.add(map(c)));
            }
        }
        return containers;
    }

    /** The literal CLIPSTREAM_* / launcher variables of a container (values from Secrets and fields skipped). */
    private static Map<String, String> containerEnv(Map<String, Object> container) {
        Map<String, String> env = new TreeMap<>();
        if (container.get("env") != null) {
            for (Object o : list(container.get("env"))) {
                Map<String, Object> var = map(o);
                if (var.containsKey("value")) {
                    env.put(String.valueOf(var.get("name")), String.valueOf(var.get("value")));
                }
            }
        }
        return env;
    }

    private static Map<String, Integer> containerPorts(Map<String, Object> container) {
        Map<String, Integer> ports = new TreeMap<>();
        for (Object o : list(container.get("ports"))) {
            Map<String, Object> port = map(o);
            ports.put(String.valueOf(port.get("name")), ((Number) port.get("containerPort")).intValue());
        }
        return ports;
    }

    private static Map<String, Object> httpGet(Map<String, Object> container, String probe) {
        assertThat(container.get(probe)).as(probe).isNotNull();
        return map(map(container.get(probe)).get("httpGet"));
    }

    private static String probePath(Map<String, Object> container, String probe) {
        return String.valueOf(httpGet(container, probe).get("path"));
    }

    private static int resolvePort(Object port, Map<String, Integer> named) {
        if (port instanceof Number n) {
            return n.intValue();
        }
        Integer value = named.get(String.valueOf(port));
        assertThat(value).as("named port " + port).isNotNull();
        return value;
    }

    /** Mount paths of the container's emptyDir volumes (writable). */
    private static List<String> emptyDirMounts(Map<String, Object> pod, Map<String, Object> container) {
        Set<String> emptyDirs = new TreeSet<>();
        for (Object o : list(pod.get("volumes"))) {
            Map<String, Object> volume = map(o);
            if (volume.containsKey("emptyDir")) {
                emptyDirs.add(String.valueOf(volume.get("name")));
            }
        }
        List<String> paths = new ArrayList<>();
        for (Object o : list(container.get("volumeMounts"))) {
            Map<String, Object> mount = map(o);
            if (emptyDirs.contains(String.valueOf(mount.get("name"))) && !Boolean.TRUE.equals(mount.get("readOnly"))) {
                paths.add(String.valueOf(mount.get("mountPath")));
            }
        }
        return paths;
    }

    private static Map<String, Object> composeFile(String name) throws IOException {
        return singleDocument(DEPLOY.resolve(name));
    }

    private static Map<String, Object> composeService(String name) throws IOException {
        return composeFileService("docker-compose.yml", name);
    }

    private static Map<String, Object> composeFileService(String file, String name) throws IOException {
        Map<String, Object> service = map(map(composeFile(file).get("services")).get(name));
        assertThat(service).as(file + " service " + name).isNotNull();
        return service;
    }

    private static Map<String, String> composeEnv(Map<String, Object> service) {
        Object env = service.get("environment");
        Map<String, String> out = new TreeMap<>();
        if (env instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (env instanceof List<?> l) {
            for (Object o : l) {
                String[] kv = String.valueOf(o).split("=", 2);
                out.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return out;
    }

    private static List<Path> deployFiles() throws IOException {
        try (Stream<Path> walk = Files.walk(DEPLOY)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static List<Path> k8sFiles() throws IOException {
        return deployFiles().stream()
                .filter(p -> p.startsWith(K8S) && isYaml(p))
                .toList();
    }

    private static boolean isYaml(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    private static List<Object> yamlDocuments(Path file) throws IOException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options));
        List<Object> documents = new ArrayList<>();
        for (Object document : yaml.loadAll(Files.readString(file))) {
            if (document != null) {
                documents.add(document);
            }
        }
        return documents;
    }

    private static Map<String, Object> singleDocument(Path file) throws IOException {
        List<Object> documents = yamlDocuments(file);
        assertThat(documents).as(rel(file)).hasSize(1);
        return map(documents.get(0));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static Map<String, String> stringMap(Object o) {
        Map<String, String> out = new TreeMap<>();
        if (o != null) {
            map(o).forEach((k, v) -> out.put(k, String.valueOf(v)));
        }
        return out;
    }

    private static List<String> strings(Object o) {
        if (o instanceof String s) {
            return List.of(s.strip().split("\\s+"));
        }
        return list(o).stream().map(String::valueOf).toList();
    }

    private static String rel(Path p) {
        return ROOT.relativize(p).toString();
    }
}
