package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.clip.ClipTokenizer;
import io.clipstream.clip.ModelFolder;
import io.clipstream.clip.ModelLoadException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clipstream tokenize --model DIR [--] TEXT...}: the ids {@code clip.tokenize} gives, one line per text. */
@Command(
        name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Print the token ids of each text, padded to the context length as clip.tokenize does.")
final class TokenizeCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "CLIP model folder.")
    java.nio.file.Path model;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts to tokenize.")
    List<String> texts;

    @Override
    public Integer call() {
        ModelFolder folder = ModelFolder.open(model);
        var tokenizerFile = folder.tokenizer()
                .orElseThrow(() -> new ModelLoadException("model folder " + folder.root() + " has no tokenizer.json"));
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        try (ClipTokenizer tokenizer = ClipTokenizer.load(tokenizerFile, folder.contextLength())) {
            for (String text : texts) {
                ObjectNode line = out.object().put("text", text);
                ArrayNode ids = line.putArray("ids");
                for (int id : tokenizer.tokenize(text).ids()) {
                    ids.add(id);
                }
                out.write(line);
            }
        }
        return 0;
    }
}
