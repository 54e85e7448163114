package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.banks.ActiveBanks;
import io.clipstream.banks.BankMatcher;
import io.clipstream.banks.BankRecords;
import io.clipstream.banks.BankSnapshot;
import io.clipstream.banks.BankTopic;
import io.clipstream.banks.BankVerdict;
import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.ModelFolder;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.labels.AvroJson;
import io.clipstream.labels.ModelFingerprint;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankMatch;
import io.clipstream.schema.PolicyFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream banks match --model DIR --image FILE...}: per image, the bank matches and flags exactly as the
 * streaming processor emits them, against the banks on the topic (the same hashing, matching and record-building
 * code). The event id is the file name.
 */
@Command(
        name = "match",
        mixinStandardHelpOptions = true,
        description = "Match images against the banks on the topic, printing what the processor would emit.")
final class BanksMatchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    BanksCommand.TopicOptions topic;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--image", required = true, description = "Inputs are image files.")
    boolean image;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Image files.")
    List<Path> files;

    @Override
    public Integer call() {
        ModelFolder folder = modelOptions.folder();
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        boolean failed = false;
        try (ImageEncoder encoder = ImageEncoder.open(folder, modelOptions.inference())) {
            ActiveBanks banks = new ActiveBanks(ModelFingerprint.ofImageTower(folder), encoder.dimension());
            try (SchemaRegistryClient registry = topic.kafka.registry();
                    BankTopic reader = topic.open(registry)) {
                for (Map.Entry<String, BankEntry> e :
                        reader.readAll(Duration.ofSeconds(60)).entrySet()) {
                    banks.apply(e.getKey(), e.getValue());
                }
            }
            BankSnapshot snapshot = banks.snapshot();
            ImagePreprocessor preprocessor = encoder.preprocessor();
            for (Path file : files) {
                ObjectNode line = out.object().put("image", file.toString());
                try {
                    ImagePreprocessor.Preprocessed decoded = preprocessor.preprocess(Files.readAllBytes(file), true, 0);
                    float[] embedding = encoder.embed(List.of(decoded.pixels()))[0];
                    BankVerdict verdict = BankMatcher.match(snapshot, decoded.pdq(), embedding);
                    String eventId = file.toString();
                    Instant now = Instant.now();
                    ArrayNode matches = line.putArray("bankMatches");
                    for (BankMatch m : BankRecords.matches(eventId, verdict, now)) {
                        matches.add(AvroJson.toJson(m));
                    }
                    ArrayNode flags = line.putArray("flags");
                    for (PolicyFlag f : BankRecords.flags(eventId, folder.modelId(), verdict, now)) {
                        flags.add(AvroJson.toJson(f));
                    }
                } catch (NoSuchFileException e) {
                    failed = true;
                    line.put("error", ImageInputs.UNREADABLE).put("message", "no such file");
                } catch (IOException e) {
                    failed = true;
                    line.put("error", ImageInputs.UNREADABLE).put("message", e.getMessage());
                } catch (ImageRejectedException e) {
                    failed = true;
                    line.put("error", e.reason().code()).put("message", e.getMessage());
                }
                out.write(line);
            }
        }
        return failed ? 1 : 0;
    }
}
