package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The decode-memory budget: sizes from the header, large images take turns, one too large for it is refused. */
class DecodeMemoryBudgetTest {

    /** A PNG header (signature + IHDR) declaring {@code width} x {@code height}: nothing else is read. */
    private static byte[] pngHeader(long width, long height, int bitDepth, int colorType) {
        byte[] d = new byte[33];
        byte[] sig = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
        System.arraycopy(sig, 0, d, 0, sig.length);
        for (int i = 0; i < 4; i++) {
            d[16 + i] = (byte) (width >>> (24 - 8 * i));
            d[20 + i] = (byte) (height >>> (24 - 8 * i));
        }
        d[24] = (byte) bitDepth;
        d[25] = (byte) colorType;
        return d;
    }

    @Test
    void theFootprintOfA49MegapixelPngComesFromItsHeader() throws Exception {
        long px = 7000L * 7000;
        assertThat(DecodeFootprint.of(pngHeader(7000, 7000, 8, 2)).bytes())
                .as("RGB: decoded in place")
                .isEqualTo(px * 3 + DecodeFootprint.OVERHEAD_BYTES);
        assertThat(DecodeFootprint.of(pngHeader(7000, 7000, 8, 6)).bytes())
                .as("RGBA: raster + premultiplied copy")
                .isEqualTo(px * 8 + DecodeFootprint.OVERHEAD_BYTES);
        assertThat(DecodeFootprint.of(pngHeader(7000, 7000, 8, 3)).bytes())
                .as("palette: indexes + RGB")
                .isEqualTo(px * 4 + DecodeFootprint.OVERHEAD_BYTES);
        assertThat(DecodeFootprint.of(pngHeader(7000, 7000, 16, 2)).bytes())
                .as("16-bit RGB: raster + 8-bit copy")
                .isEqualTo(px * 9 + DecodeFootprint.OVERHEAD_BYTES);
    }

    @Test
    void theFootprintOfAJpegComesFromItsReader() throws Exception {
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_3BYTE_BGR);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "jpeg", out);
        DecodeFootprint f = DecodeFootprint.of(out.toByteArray());
        assertThat(f.width()).isEqualTo(640);
        assertThat(f.height()).isEqualTo(480);
        assertThat(f.bytes()).isEqualTo(640L * 480 * 6 + DecodeFootprint.OVERHEAD_BYTES);
    }

    @Test
    void anImageLargerThanTheWholeBudgetIsRefusedWithTheBudgetInTheMessage() {
        DecodeMemoryBudget budget = new DecodeMemoryBudget(100_000_000L, "decode.memory.bytes");
        assertThatThrownBy(() -> budget.acquire(new DecodeFootprint(7000, 7000, 393_000_000L), Duration.ofSeconds(1)))
                .isInstanceOf(ImageRejectedException.class)
                .hasMessage("OVER_MEMORY_BUDGET: decoding this 7000x7000 image (49.0 MP) needs about 393.0 MB, more"
                        + " than the whole decode-memory budget of 100.0 MB (decode.memory.bytes)")
                .extracting(e -> ((ImageRejectedException) e).reason())
                .isEqualTo(RejectionReason.OVER_MEMORY_BUDGET);
        assertThat(budget.used()).isZero();
    }

    @Test
    void largeImagesTakeTurnsAndTheSecondWaitsForTheFirst() throws Exception {
        DecodeMemoryBudget budget = new DecodeMemoryBudget(100, "test");
        DecodeMemoryBudget.Lease first = budget.acquire(new DecodeFootprint(1, 1, 60), Duration.ofSeconds(1));
        CompletableFuture<DecodeMemoryBudget.Lease> second = CompletableFuture.supplyAsync(() -> {
            try {
                return budget.acquire(new DecodeFootprint(1, 1, 60), Duration.ofSeconds(10));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertThat(second).isNotDone();
        assertThat(budget.used()).isEqualTo(60);
        first.close();
        first.close();
        second.get(5, TimeUnit.SECONDS).close();
        assertThat(budget.used()).isZero();
    }

    @Test
    void aWaitIsBoundedAndEndsAsResourceExhaustionNotAHang() throws Exception {
        DecodeMemoryBudget budget = new DecodeMemoryBudget(100, "test");
        try (DecodeMemoryBudget.Lease held = budget.acquire(new DecodeFootprint(1, 1, 90), Duration.ofSeconds(1))) {
            assertThatThrownBy(() -> budget.acquire(new DecodeFootprint(1, 1, 20), Duration.ofMillis(100)))
                    .isInstanceOf(DecodeMemoryExhaustedException.class)
                    .hasMessage("waited 100 ms for 0.0 MB of the 0.0 MB decode-memory budget (0.0 MB in use)");
        }
        assertThat(budget.used()).isZero();
    }
}
