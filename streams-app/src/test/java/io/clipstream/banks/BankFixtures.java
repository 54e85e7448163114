package io.clipstream.banks;

import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.PreprocessSpec;
import io.clipstream.pdq.PdqHasher;
import io.clipstream.pdq.PdqSignature;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import io.clipstream.schema.BankKind;
import io.clipstream.schema.BankSettings;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.Severity;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/** Bank records and edited images for tests. */
public final class BankFixtures {

    private static final ImagePreprocessor DECODER = new ImagePreprocessor(PreprocessSpec.clip(224));

    static {
        io.clipstream.schema.GeneratedClasses.trust();
    }

    private BankFixtures() {}

    /** The PDQ signature of an encoded image, as the processor computes it. */
    public static PdqSignature pdq(byte[] image) {
        try {
            return PdqHasher.hash(DECODER.decodeLuma(image));
        } catch (ImageRejectedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A positive bank flagging with {@code action}. */
    public static BankEntry positive(String bank, PolicyAction action, Severity severity) {
        return new BankEntry(
                bank,
                BankSettings.newBuilder()
                        .setKind(BankKind.POSITIVE)
                        .setAction(action)
                        .setSeverity(severity)
                        .build());
    }

    /** A negative bank overriding {@code banks} and {@code policies}. */
    public static BankEntry negative(String bank, List<String> banks, List<String> policies) {
        return new BankEntry(
                bank,
                BankSettings.newBuilder()
                        .setKind(BankKind.NEGATIVE)
                        .setSuppressesBanks(banks)
                        .setSuppressesPolicies(policies)
                        .build());
    }

    /** An item holding the PDQ hash of {@code image}. */
    public static BankEntry item(String bank, String id, byte[] image) {
        PdqSignature s = pdq(image);
        return new BankEntry(
                bank,
                BankItem.newBuilder()
                        .setId(id)
                        .setPdq(s.hash().toHex())
                        .setQuality(s.quality())
                        .setReason("test")
                        .build());
    }

    /** An item holding a hash given in hex. */
    public static BankEntry item(String bank, String id, String hex, int quality) {
        return new BankEntry(
                bank,
                BankItem.newBuilder().setId(id).setPdq(hex).setQuality(quality).build());
    }

    /** {@code image} mirrored left to right, as PNG. */
    public static byte[] mirrored(byte[] image) {
        BufferedImage in = read(image);
        BufferedImage out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < in.getHeight(); y++) {
            for (int x = 0; x < in.getWidth(); x++) {
                out.setRGB(in.getWidth() - 1 - x, y, in.getRGB(x, y));
            }
        }
        return write(out, "png");
    }

    /** {@code image} scaled by {@code factor} and recompressed as JPEG. */
    public static byte[] resizedJpeg(byte[] image, double factor) {
        BufferedImage in = read(image);
        int w = Math.max(1, (int) (in.getWidth() * factor));
        int h = Math.max(1, (int) (in.getHeight() * factor));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(in, 0, 0, w, h, null);
        g.dispose();
        return write(out, "jpg");
    }

    /** {@code image} with {@code fraction} of each side cropped off, as PNG. */
    public static byte[] cropped(byte[] image, double fraction) {
        BufferedImage in = read(image);
        int dx = (int) (in.getWidth() * fraction / 2);
        int dy = (int) (in.getHeight() * fraction / 2);
        BufferedImage sub = in.getSubimage(dx, dy, in.getWidth() - 2 * dx, in.getHeight() - 2 * dy);
        BufferedImage out = new BufferedImage(sub.getWidth(), sub.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(sub, 0, 0, null);
        return write(out, "png");
    }

    private static BufferedImage read(byte[] image) {
        try {
            return ImageIO.read(new ByteArrayInputStream(image));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] write(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
