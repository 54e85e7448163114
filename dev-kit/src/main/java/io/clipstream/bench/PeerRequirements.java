package io.clipstream.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the Python peer ({@code tools/peer/clip_peer.py}) needs, checked before it is started: the interpreter,
 * the script, {@code visual.pt} in the model folder, and every Python module it imports (directly, or through
 * {@code tools/make_test_models.py}), each with the Debian package that provides it.
 */
final class PeerRequirements {
    /** Module → Debian bookworm package. */
    static final Map<String, String> MODULES = modules();

    private PeerRequirements() {}

    private static Map<String, String> modules() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("confluent_kafka", "python3-confluent-kafka");
        m.put("avro", "python3-avro");
        m.put("numpy", "python3-numpy");
        m.put("torch", "python3-torch");
        m.put("torchvision", "python3-torchvision");
        m.put("PIL", "python3-pil");
        m.put("onnx", "python3-onnx");
        m.put("regex", "python3-regex");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Every unmet requirement as one readable phrase; empty when the peer can start. */
    static List<String> unmet(String python, Path script, Path modelDir) throws InterruptedException {
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(script)) {
            problems.add("no peer script at " + script + " (set CLIPSTREAM_HOME to the checkout)");
        }
        if (!Files.isRegularFile(modelDir.resolve("visual.pt"))) {
            problems.add("no " + modelDir.resolve("visual.pt") + " (tools/make_vitb32.py writes it)");
        }
        StringBuilder probe = new StringBuilder("import importlib.util\n");
        for (String module : MODULES.keySet()) {
            probe.append("print('")
                    .append(module)
                    .append("' if importlib.util.find_spec('")
                    .append(module)
                    .append("') is None else '')\n");
        }
        try {
            Process p = new ProcessBuilder(python, "-c", probe.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                problems.add(python + " cannot check its modules: " + output.strip());
                return problems;
            }
            List<String> missing = output.lines()
                    .filter(l -> !l.isBlank())
                    .map(l -> l.strip() + " (" + MODULES.get(l.strip()) + ")")
                    .toList();
            if (!missing.isEmpty()) {
                problems.add(python + " lacks the modules " + String.join(", ", missing));
            }
        } catch (IOException e) {
            problems.add("cannot run " + python + ": " + e.getMessage());
        }
        return problems;
    }
}
