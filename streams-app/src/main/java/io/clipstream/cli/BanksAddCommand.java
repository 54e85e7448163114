package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.banks.BankKey;
import io.clipstream.banks.BankTopic;
import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.PreprocessSpec;
import io.clipstream.labels.ModelFingerprint;
import io.clipstream.pdq.PdqSignature;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream banks add --bank NAME [--model DIR] [--item-id ID] [--reason TEXT] FILE...}: hashes each image
 * (and embeds it with {@code --model}) exactly as the processor does and publishes it as one bank item. Item ids
 * default to the first 16 hex digits of the file's SHA-256, so adding the same file twice replaces it.
 */
@Command(
        name = "add",
        mixinStandardHelpOptions = true,
        description = "Hash (and with --model embed) images and publish them as items of a bank.")
final class BanksAddCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    BanksCommand.TopicOptions topic;

    @Option(names = "--bank", required = true, paramLabel = "NAME", description = "Bank name.")
    String bank;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Also store each image's CLIP embedding for this"
                    + " model (matched only by processors running the same image tower).")
    Path model;

    @Option(
            names = "--item-id",
            paramLabel = "ID",
            description = "Item id (one FILE only; default: the file's" + " SHA-256, first 16 hex digits).")
    String itemId;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why the image is in the bank.")
    String reason;

    @Option(names = "--source", paramLabel = "TEXT", description = "Where the image came from.")
    String source;

    @Option(names = "--added-by", paramLabel = "WHO", description = "Who added it (default: $USER).")
    String addedBy = System.getenv("USER");

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Image files.")
    List<Path> files;

    @Override
    public Integer call() {
        BankKey.requireName(bank);
        if (itemId != null && files.size() != 1) {
            throw new IllegalArgumentException("--item-id names one item: give exactly one FILE");
        }
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        List<BankEntry> entries = new ArrayList<>();
        List<ObjectNode> lines = new ArrayList<>();
        boolean failed = false;
        ImageEncoder encoder = null;
        try {
            String fingerprint = null;
            ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessSpec.clip(224));
            if (model != null) {
                ModelFolder folder = ModelFolder.open(model);
                fingerprint = ModelFingerprint.ofImageTower(folder);
                encoder = ImageEncoder.open(folder, InferenceOptions.defaults());
                preprocessor = encoder.preprocessor();
            }
            for (Path file : files) {
                ObjectNode line = out.object().put("image", file.toString());
                try {
                    byte[] bytes = Files.readAllBytes(file);
                    ImagePreprocessor.Preprocessed decoded = preprocessor.preprocess(bytes, true, 0);
                    PdqSignature pdq = decoded.pdq().original();
                    BankItem.Builder item = BankItem.newBuilder()
                            .setId(itemId != null ? itemId : contentId(bytes))
                            .setPdq(pdq.hash().toHex())
                            .setQuality(pdq.quality())
                            .setSource(
                                    source != null ? source : file.getFileName().toString())
                            .setReason(reason)
                            .setAddedBy(addedBy)
                            .setAddedAt(Instant.now());
                    if (encoder != null) {
                        float[] embedding = encoder.embed(List.of(decoded.pixels()))[0];
                        List<Float> boxed = new ArrayList<>(embedding.length);
                        for (float v : embedding) {
                            boxed.add(v);
                        }
                        item.setEmbedding(boxed).setModelFingerprint(fingerprint);
                    }
                    BankItem built = item.build();
                    entries.add(new BankEntry(bank, built));
                    line.put("bank", bank)
                            .put("itemId", built.getId())
                            .put("pdq", built.getPdq())
                            .put("quality", built.getQuality())
                            .put("embedded", encoder != null);
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
                lines.add(line);
            }
        } finally {
            if (encoder != null) {
                encoder.close();
            }
        }
        publishAndPrint(entries, lines, out);
        return failed ? 1 : 0;
    }

    private void publishAndPrint(List<BankEntry> entries, List<ObjectNode> lines, JsonLines out) {
        List<Long> offsets = List.of();
        if (!entries.isEmpty()) {
            try (SchemaRegistryClient registry = topic.kafka.registry();
                    BankTopic banks = topic.open(registry)) {
                offsets = banks.publish(entries.stream()
                        .map(e -> Map.entry(BankTopic.keyOf(e), e))
                        .toList());
            }
        }
        int next = 0;
        for (ObjectNode line : lines) {
            if (!line.has("error")) {
                line.put("offset", offsets.get(next++));
            }
            out.write(line);
        }
    }

    static String contentId(byte[] bytes) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes))
                    .substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
