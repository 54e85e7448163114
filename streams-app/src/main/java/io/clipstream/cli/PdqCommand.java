package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.PreprocessSpec;
import io.clipstream.pdq.LumaSource;
import io.clipstream.pdq.PdqDihedral;
import io.clipstream.pdq.PdqHash;
import io.clipstream.pdq.PdqHasher;
import io.clipstream.pdq.PdqSignature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream pdq [--dihedral] FILE...}: the PDQ hash and quality of each image, decoded and oriented exactly
 * as the processor does. Unusable inputs print an error line; the rest still run and the exit status is 1.
 */
@Command(
        name = "pdq",
        mixinStandardHelpOptions = true,
        description = "Print the PDQ perceptual hash (64 hex digits) and quality (0-100) of each image file.")
final class PdqCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dihedral", description = "Also print the hashes of the eight rotations and mirrorings.")
    boolean dihedral;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Image files.")
    List<Path> files;

    @Override
    public Integer call() {
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        ImagePreprocessor decoder = new ImagePreprocessor(PreprocessSpec.clip(224));
        boolean failed = false;
        for (Path file : files) {
            ObjectNode line = out.object().put("image", file.toString());
            try {
                LumaSource luma = decoder.decodeLuma(Files.readAllBytes(file));
                if (dihedral) {
                    PdqDihedral all = PdqHasher.dihedral(luma);
                    line.put("pdq", all.hashes().get(0).toHex()).put("quality", all.quality());
                    ArrayNode hashes = line.putArray("dihedral");
                    all.hashes().stream().map(PdqHash::toHex).forEach(hashes::add);
                } else {
                    PdqSignature signature = PdqHasher.hash(luma);
                    line.put("pdq", signature.hash().toHex()).put("quality", signature.quality());
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
        return failed ? 1 : 0;
    }
}
