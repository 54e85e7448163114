package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.clip.ModelFolder;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream preprocess --model DIR --out DIR [--threads N] FILE...}: what the model sees of each image.
 * For every input it writes {@code NAME.png} (the RGB crop before normalisation) and {@code NAME.npy} (the
 * float32 CHW tensor after normalisation, NumPy format) and prints one JSON line; an unusable image prints the
 * error line {@code embed} prints, the rest still run, and the exit status is 1.
 */
@Command(
        name = "preprocess",
        mixinStandardHelpOptions = true,
        description = "Write the crop (PNG) and the normalised tensor (.npy) the model sees for each image.")
final class PreprocessCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "CLIP model folder whose preprocessing to apply (only its configuration is read).")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for NAME.png and NAME.npy.")
    Path outDir;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "Images preprocessed in parallel; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Image files.")
    List<Path> inputs;

    @Override
    public Integer call() throws IOException {
        if (threads < 0) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--threads must be 0 or more, got " + threads);
        }
        ImagePreprocessor preprocessor =
                new ImagePreprocessor(ModelFolder.open(model).preprocess());
        Files.createDirectories(outDir);
        List<String> names = outputNames(inputs);
        int parallelism = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        List<ImageInputs.Outcome> outcomes;
        ForkJoinPool pool = new ForkJoinPool(parallelism);
        try {
            ForkJoinTask<List<ImageInputs.Outcome>> task =
                    pool.submit(() -> ImageInputs.preprocess(inputs, preprocessor));
            outcomes = task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        boolean failed = false;
        for (int i = 0; i < inputs.size(); i++) {
            ImageInputs.Outcome outcome = outcomes.get(i);
            ObjectNode line = out.object().put("image", inputs.get(i).toString());
            if (outcome.ok()) {
                RgbImage crop = outcome.pixels();
                Path png = outDir.resolve(names.get(i) + ".png");
                Path npy = outDir.resolve(names.get(i) + ".npy");
                writePng(crop, png);
                writeNpy(preprocessor, crop, npy);
                line.put("png", png.toString())
                        .put("npy", npy.toString())
                        .put("width", crop.width())
                        .put("height", crop.height());
            } else {
                failed = true;
                line.put("error", outcome.errorCode()).put("message", outcome.message());
            }
            out.write(line);
        }
        return failed ? 1 : 0;
    }

    /** File names without extension, made unique in input order ({@code a}, {@code a-2}, ...). */
    static List<String> outputNames(List<Path> files) {
        Set<String> used = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            Path fileName = file.getFileName();
            String base = fileName == null ? "image" : fileName.toString();
            int dot = base.lastIndexOf('.');
            base = dot > 0 ? base.substring(0, dot) : base;
            String name = base;
            for (int n = 2; !used.add(name.toLowerCase(Locale.ROOT)); n++) {
                name = base + "-" + n;
            }
            names.add(name);
        }
        return names;
    }

    private static void writePng(RgbImage crop, Path file) throws IOException {
        BufferedImage image = new BufferedImage(crop.width(), crop.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        byte[] rgb = crop.pixels();
        for (int p = 0; p < rgb.length; p += 3) {
            bgr[p] = rgb[p + 2];
            bgr[p + 1] = rgb[p + 1];
            bgr[p + 2] = rgb[p];
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new UncheckedIOException(new IOException("no PNG writer"));
        }
    }

    private static void writeNpy(ImagePreprocessor preprocessor, RgbImage crop, Path file) throws IOException {
        float[] tensor = new float[3 * crop.width() * crop.height()];
        preprocessor.writeNormalized(crop, FloatBuffer.wrap(tensor));
        try (OutputStream out = Files.newOutputStream(file)) {
            NpyWriter.writeFloat32(out, tensor, 3, crop.height(), crop.width());
        }
    }
}
