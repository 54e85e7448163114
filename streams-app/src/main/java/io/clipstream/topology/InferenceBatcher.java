package io.clipstream.topology;

import io.clipstream.image.RgbImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide dynamic batcher in front of the image encoder, as Triton's dynamic batching does it: images from
 * every stream thread queue up; one dispatcher thread runs the model on up to {@code maxBatchSize} of them at a
 * time, waiting at most {@code maxQueueDelay} after the first for more to arrive. Each caller blocks until its own
 * images are embedded. With many partitions each task sees few events; merging here is what fills a GPU batch.
 *
 * <p>The queue is bounded: when the model falls behind, callers block (back-pressure) instead of buffering
 * without limit.
 *
 * <p>One bad image must not fail the images merged with it: when a run fails (with an exception or an
 * {@link Error}), it is bisected until the images at fault run alone, and only those fail. When no image of a run
 * can be embedded even alone, a blank probe image is run: if that fails too the model itself is broken and every
 * caller of the run gets a {@link ModelUnavailableException}, never a per-image failure. Every wait is bounded, and
 * an image offered while {@link #close()} runs is failed, never left waiting.
 */
public final class InferenceBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceBatcher.class);

    /** Observes each model run (for metrics). */
    public interface RunObserver {
        /** Called after each run with its batch size and duration. */
        void onRun(int batchSize, long nanos);
    }

    /**
     * Per-image outcomes of {@link #embedEach}: {@code embeddings[i]} when image i was embedded, else
     * {@code failures[i]}, what the model threw when it ran image i alone.
     */
    public record Outcomes(float[][] embeddings, Throwable[] failures) {}

    /** The model cannot embed anything (every run fails, even a blank probe image), or the batcher is closed. */
    public static final class ModelUnavailableException extends RuntimeException {
        ModelUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Item(Request request, int index) {
        RgbImage image() {
            return request.images.get(index);
        }
    }

    private static final class Request {
        final List<RgbImage> images;
        final float[][] results;
        final Throwable[] failures;
        final AtomicInteger remaining;
        final CompletableFuture<Outcomes> done = new CompletableFuture<>();

        Request(List<RgbImage> images) {
            this.images = images;
            this.results = new float[images.size()][];
            this.failures = new Throwable[images.size()];
            this.remaining = new AtomicInteger(images.size());
        }

        void succeeded(int index, float[] embedding) {
            results[index] = embedding;
            countDown();
        }

        void failed(int index, Throwable error) {
            failures[index] = error;
            countDown();
        }

        private void countDown() {
            if (remaining.decrementAndGet() == 0) {
                done.complete(new Outcomes(results, failures));
            }
        }
    }

    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    private final Function<List<RgbImage>, float[][]> model;
    private final int maxBatchSize;
    private final long maxQueueDelayNanos;
    private final RunObserver observer;
    private final BlockingQueue<Item> queue;
    private final Thread dispatcher;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong lastSuccessNanos =
            new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

    /**
     * @param model embeds a list of images (the image encoder)
     * @param maxBatchSize most images per model run
     * @param maxQueueDelay how long a run waits for more images after the first
     */
    public InferenceBatcher(
            Function<List<RgbImage>, float[][]> model, int maxBatchSize, Duration maxQueueDelay, RunObserver observer) {
        this.model = model;
        this.maxBatchSize = maxBatchSize;
        this.maxQueueDelayNanos = maxQueueDelay.toNanos();
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(Math.max(64, maxBatchSize * 8));
        // a large stack: ONNX Runtime recurses deeply in native code when it runs the graph on this thread
        this.dispatcher = new Thread(null, this::dispatch, "clipstream-inference", 64L * 1024 * 1024);
        this.dispatcher.setDaemon(true);
        this.dispatcher.start();
    }

    /**
     * Embeds {@code images}, blocking until done.
     *
     * @return one embedding per image, in order
     * @throws InterruptedException when the caller is interrupted while waiting
     * @throws IllegalStateException when the batcher is closed or the model failed on an image
     */
    public float[][] embed(List<RgbImage> images) throws InterruptedException {
        Outcomes outcomes;
        try {
            outcomes = embedEach(images, DEFAULT_TIMEOUT);
        } catch (TimeoutException | ModelUnavailableException e) {
            throw new IllegalStateException("inference failed: " + e.getMessage(), e);
        }
        for (Throwable failure : outcomes.failures()) {
            if (failure != null) {
                throw new IllegalStateException("inference failed: " + failure, failure);
            }
        }
        return outcomes.embeddings();
    }

    /**
     * Embeds {@code images}, blocking at most {@code timeout}; an image the model fails on alone gets its failure,
     * the others their embeddings.
     *
     * @throws ModelUnavailableException when the model embeds nothing at all, or the batcher is (being) closed
     * @throws TimeoutException when the images were not all embedded within {@code timeout}
     * @throws InterruptedException when the caller is interrupted while waiting
     */
    public Outcomes embedEach(List<RgbImage> images, Duration timeout) throws InterruptedException, TimeoutException {
        if (images.isEmpty()) {
            return new Outcomes(new float[0][], new Throwable[0]);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Request request = new Request(images);
        for (int i = 0; i < images.size(); i++) {
            Item item = new Item(request, i);
            while (!queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
                checkUsable();
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("the inference queue stayed full for " + timeout.toMillis() + " ms");
                }
            }
        }
        while (true) {
            try {
                return request.done.get(50, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ModelUnavailableException unavailable) {
                    throw unavailable;
                }
                throw new ModelUnavailableException("inference failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                // close() may have drained the queue before this request's items were offered: fail, not hang
                if (closed.get() || !dispatcher.isAlive()) {
                    failPending();
                    request.done.completeExceptionally(new ModelUnavailableException("inference batcher closed", null));
                } else if (System.nanoTime() > deadline) {
                    request.done.completeExceptionally(
                            new TimeoutException("images not embedded within " + timeout.toMillis() + " ms"));
                    throw new TimeoutException("images not embedded within " + timeout.toMillis() + " ms");
                }
            }
        }
    }

    private void checkUsable() {
        if (closed.get() || !dispatcher.isAlive()) {
            throw new ModelUnavailableException("inference batcher closed", null);
        }
    }

    /** {@link System#nanoTime()} at the end of the last model run that embedded its images; empty before one. */
    public java.util.OptionalLong lastSuccessNanos() {
        long last = lastSuccessNanos.get();
        return last == Long.MIN_VALUE ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(last);
    }

    /** Whether the dispatcher thread is alive and the batcher open. */
    public boolean isRunning() {
        return !closed.get() && dispatcher.isAlive();
    }

    private void dispatch() {
        List<Item> batch = new ArrayList<>(maxBatchSize);
        while (!closed.get()) {
            try {
                Item first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxQueueDelayNanos;
                while (batch.size() < maxBatchSize) {
                    if (queue.drainTo(batch, maxBatchSize - batch.size()) > 0) {
                        continue;
                    }
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    Item next = queue.poll(wait, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                run(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable e) {
                // nothing may kill the dispatcher: callers would wait for it
                LOG.error("Inference dispatcher failed on a batch of {}", batch.size(), e);
                ModelUnavailableException failure = new ModelUnavailableException("inference failed: " + e, e);
                batch.forEach(item -> item.request().done.completeExceptionally(failure));
            } finally {
                batch.clear();
            }
        }
        failPending();
    }

    private void run(List<Item> batch) {
        List<Item> failed = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        int embedded = runOrBisect(batch, failed, errors);
        if (failed.isEmpty()) {
            return;
        }
        if (embedded == 0) {
            Throwable probeFailure = probe(failed.get(0).image());
            if (probeFailure != null) {
                LOG.error("The model fails on every image, even a blank one: {}", String.valueOf(probeFailure));
                ModelUnavailableException failure = new ModelUnavailableException(
                        "the model fails on every image," + " even a blank one: " + probeFailure, probeFailure);
                failed.forEach(item -> item.request().done.completeExceptionally(failure));
                return;
            }
        }
        for (int i = 0; i < failed.size(); i++) {
            LOG.warn("The model failed on one image alone: {}", String.valueOf(errors.get(i)));
            failed.get(i).request().failed(failed.get(i).index(), errors.get(i));
        }
    }

    /** Runs {@code items}; on failure runs each half, down to single images. Returns how many were embedded. */
    private int runOrBisect(List<Item> items, List<Item> failed, List<Throwable> errors) {
        List<RgbImage> images = new ArrayList<>(items.size());
        for (Item item : items) {
            images.add(item.image());
        }
        long start = System.nanoTime();
        float[][] embeddings;
        try {
            embeddings = model.apply(images);
        } catch (Throwable e) {
            if (items.size() == 1) {
                failed.add(items.get(0));
                errors.add(e);
                return 0;
            }
            LOG.warn(
                    "Model run of {} images failed ({}); bisecting to find the image at fault",
                    items.size(),
                    String.valueOf(e));
            int half = items.size() / 2;
            return runOrBisect(items.subList(0, half), failed, errors)
                    + runOrBisect(items.subList(half, items.size()), failed, errors);
        }
        long end = System.nanoTime();
        observer.onRun(images.size(), end - start);
        lastSuccessNanos.set(end);
        for (int i = 0; i < items.size(); i++) {
            items.get(i).request().succeeded(items.get(i).index(), embeddings[i]);
        }
        return items.size();
    }

    /** Runs a blank image the size of {@code like}; null when the model embeds it, else what it threw. */
    private Throwable probe(RgbImage like) {
        try {
            model.apply(List.of(new RgbImage(like.width(), like.height(), new byte[like.width() * like.height() * 3])));
            return null;
        } catch (Throwable e) {
            return e;
        }
    }

    private void failPending() {
        List<Item> left = new ArrayList<>();
        queue.drainTo(left);
        ModelUnavailableException error = new ModelUnavailableException("inference batcher closed", null);
        left.forEach(item -> item.request().done.completeExceptionally(error));
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            dispatcher.interrupt();
            try {
                dispatcher.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            failPending();
        }
    }
}
