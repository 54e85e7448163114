package io.clipstream.cli;

import io.clipstream.config.ClipStreamConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream config [--config FILE] [--markdown]}: the effective configuration (secrets hidden), or the
 * documentation table of every key.
 */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        description = "Show the effective configuration (secrets hidden) or document every key.")
final class ConfigCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file; environment variables win.")
    Path file;

    @Option(names = "--markdown", description = "Print the Markdown table of every key (as in README.md).")
    boolean markdown;

    @Override
    public Integer call() throws IOException {
        if (markdown) {
            spec.commandLine().getOut().print(ClipStreamConfig.markdownTable());
            spec.commandLine().getOut().flush();
            return 0;
        }
        ClipStreamConfig config = ClipStreamConfig.from(load(file), System.getenv());
        spec.commandLine().getOut().println(config);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** Reads a properties file into a map; an absent path gives an empty map. */
    static Map<String, String> load(Path file) throws IOException {
        Map<String, String> values = new TreeMap<>();
        if (file == null) {
            return values;
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("configuration file " + file + " does not exist");
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        properties.forEach((k, v) -> values.put(k.toString(), v.toString().strip()));
        return values;
    }
}
