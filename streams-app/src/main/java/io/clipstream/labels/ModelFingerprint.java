package io.clipstream.labels;

import io.clipstream.clip.ModelFolder;
import io.clipstream.clip.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Identifies the text model a label set was compiled with: {@code sha256:} of the text graph and the tokenizer
 * file (each preceded by its length, so the two cannot be confused). A processor refuses label sets whose
 * fingerprint differs from its own model's, since their embeddings would live in another space.
 */
public final class ModelFingerprint {

    private ModelFingerprint() {}

    /**
     * The fingerprint of a model folder's text tower and tokenizer.
     *
     * @throws ModelLoadException when the folder has no text tower or tokenizer
     */
    public static String of(ModelFolder folder) {
        Path text = folder.textualModel()
                .orElseThrow(() -> new ModelLoadException("model folder " + folder.root()
                        + " has no text tower: its label-set fingerprint cannot be computed"));
        Path tokenizer = folder.tokenizer()
                .orElseThrow(() -> new ModelLoadException("model folder " + folder.root()
                        + " has no tokenizer.json: its label-set fingerprint cannot be computed"));
        return of(text, tokenizer);
    }

    /**
     * The fingerprint of a model folder's image tower and its preprocessing: image embeddings (bank items) computed
     * with another one live in another space. {@code sha256:} of the vision graph, then the preprocessing spec.
     *
     * @throws ModelLoadException when the folder has no image tower
     */
    public static String ofImageTower(ModelFolder folder) {
        Path visual = folder.visualModel()
                .orElseThrow(() -> new ModelLoadException("model folder " + folder.root()
                        + " has no image tower: its image fingerprint cannot be computed"));
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(visual)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            sha.update((byte) 0);
            io.clipstream.image.PreprocessSpec spec = folder.preprocess();
            String preprocessing = spec.size() + " " + java.util.Arrays.toString(spec.mean()) + " "
                    + java.util.Arrays.toString(spec.std()) + " " + spec.interpolation() + " " + spec.resizeMode();
            sha.update(preprocessing.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + visual + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fingerprint of a text graph and tokenizer file. */
    public static String of(Path textModel, Path tokenizer) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path file : new Path[] {textModel, tokenizer}) {
                sha.update(Long.toString(Files.size(file)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                sha.update((byte) 0);
                try (InputStream in = Files.newInputStream(file)) {
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        sha.update(buffer, 0, n);
                    }
                }
            }
            return "sha256:" + HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + textModel + " or " + tokenizer + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
