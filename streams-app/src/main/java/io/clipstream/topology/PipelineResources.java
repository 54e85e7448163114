package io.clipstream.topology;

import io.clipstream.banks.ActiveBanks;
import io.clipstream.image.BudgetedPreprocessor;
import io.clipstream.image.DecodeMemoryBudget;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.labels.ActiveLabelSets;
import io.clipstream.observe.PipelineMetrics;
import io.clipstream.observe.ProgressMonitor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * What every stream task shares in one process: one preprocessor, one decode pool, one inference batcher (one
 * model session), one view of the active label sets, one set of metrics.
 *
 * @param preprocessor decodes and preprocesses images for the model
 * @param decodePool runs preprocessing off the stream threads, bounded
 * @param batcher the process-wide inference batcher
 * @param labelSets the active label sets
 * @param labelSetFilter names of the sets to score with; empty means all
 * @param modelId model id written on results
 * @param metrics the pipeline's metrics
 * @param decoder decodes and preprocesses an image under the decode-memory budget (on the decode pool)
 * @param progress told of each batch's outcome, for /health
 * @param banks the known-content banks every image is matched against
 */
public record PipelineResources(
        ImagePreprocessor preprocessor,
        ExecutorService decodePool,
        InferenceBatcher batcher,
        ActiveLabelSets labelSets,
        List<String> labelSetFilter,
        String modelId,
        PipelineMetrics metrics,
        PixelDecoder decoder,
        ProgressMonitor progress,
        ActiveBanks banks) {

    /** How long one image may wait for its share of the decode-memory budget before the attempt fails. */
    public static final Duration DECODE_MEMORY_WAIT = Duration.ofMinutes(2);

    /** With half the max heap as the decode-memory budget, default health limits and PDQ-only banks. */
    public PipelineResources(
            ImagePreprocessor preprocessor,
            ExecutorService decodePool,
            InferenceBatcher batcher,
            ActiveLabelSets labelSets,
            List<String> labelSetFilter,
            String modelId,
            PipelineMetrics metrics) {
        this(preprocessor, decodePool, batcher, labelSets, labelSetFilter, modelId, metrics, ActiveBanks.pdqOnly());
    }

    /** With half the max heap as the decode-memory budget and default health limits. */
    public PipelineResources(
            ImagePreprocessor preprocessor,
            ExecutorService decodePool,
            InferenceBatcher batcher,
            ActiveLabelSets labelSets,
            List<String> labelSetFilter,
            String modelId,
            PipelineMetrics metrics,
            ActiveBanks banks) {
        this(
                preprocessor,
                decodePool,
                batcher,
                labelSets,
                labelSetFilter,
                modelId,
                metrics,
                preprocessor == null
                        ? null
                        : PixelDecoder.of(new BudgetedPreprocessor(
                                preprocessor, DecodeMemoryBudget.ofHeapFraction(0.5), DECODE_MEMORY_WAIT)),
                ProgressMonitor.defaults(),
                banks);
    }

    /** With PDQ-only banks. */
    public PipelineResources(
            ImagePreprocessor preprocessor,
            ExecutorService decodePool,
            InferenceBatcher batcher,
            ActiveLabelSets labelSets,
            List<String> labelSetFilter,
            String modelId,
            PipelineMetrics metrics,
            PixelDecoder decoder,
            ProgressMonitor progress) {
        this(
                preprocessor,
                decodePool,
                batcher,
                labelSets,
                labelSetFilter,
                modelId,
                metrics,
                decoder,
                progress,
                ActiveBanks.pdqOnly());
    }

    /** A copy decoding with {@code decoder}. */
    public PipelineResources withDecoder(PixelDecoder decoder) {
        return new PipelineResources(
                preprocessor,
                decodePool,
                batcher,
                labelSets,
                labelSetFilter,
                modelId,
                metrics,
                decoder,
                progress,
                banks);
    }
}
