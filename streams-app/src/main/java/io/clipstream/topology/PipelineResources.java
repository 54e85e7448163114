package io.clipstream.topology;

import io.clipstream.banks.ActiveBanks;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.labels.ActiveLabelSets;
import io.clipstream.observe.PipelineMetrics;
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
 * @param banks the known-content banks every image is matched against
 */
public record PipelineResources(ImagePreprocessor preprocessor, ExecutorService decodePool, InferenceBatcher batcher,
        ActiveLabelSets labelSets, List<String> labelSetFilter, String modelId, PipelineMetrics metrics,
        ActiveBanks banks) {

    /** Resources whose banks match by PDQ only (no image-model fingerprint for item embeddings). */
    public PipelineResources(ImagePreprocessor preprocessor, ExecutorService decodePool, InferenceBatcher batcher,
            ActiveLabelSets labelSets, List<String> labelSetFilter, String modelId, PipelineMetrics metrics) {
        this(preprocessor, decodePool, batcher, labelSets, labelSetFilter, modelId, metrics, ActiveBanks.pdqOnly());
    }
}
