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
 */
public final class InferenceBatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceBatcher.class);

    /** Observes each model run (for metrics). */
    public interface RunObserver {
        /** Called after each run with its batch size and duration. */
        void onRun(int batchSize, long nanos);
    }

    private record Item(Request request, int index) {
    }

    private static final class Request {
        final List<RgbImage> images;
        final float[][] results;
        final AtomicInteger remaining;
        final CompletableFuture<float[][]> done = new CompletableFuture<>();

        Request(List<RgbImage> images) {
            this.images = images;
            this.results = new float[images.size()][];
            this.remaining = new AtomicInteger(images.size());
        }
    }

    private final Function<List<RgbImage>, float[][]> model;
    private final int maxBatchSize;
    private final long maxQueueDelayNanos;
    private final RunObserver observer;
    private final BlockingQueue<Item> queue;
    private final Thread dispatcher;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param model embeds a list of images (the image encoder)
     * @param maxBatchSize most images per model run
     * @param maxQueueDelay how long a run waits for more images after the first
     */
    public InferenceBatcher(Function<List<RgbImage>, float[][]> model, int maxBatchSize, Duration maxQueueDelay,
            RunObserver observer) {
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
     * @throws IllegalStateException when the batcher is closed or the model run failed
     */
    public float[][] embed(List<RgbImage> images) throws InterruptedException {
        if (images.isEmpty()) {
            return new float[0][];
        }
        if (closed.get()) {
            throw new IllegalStateException("inference batcher is closed");
        }
        Request request = new Request(images);
        for (int i = 0; i < images.size(); i++) {
            while (!queue.offer(new Item(request, i), 100, TimeUnit.MILLISECONDS)) {
                if (closed.get()) {
                    throw new IllegalStateException("inference batcher is closed");
                }
            }
        }
        try {
            return request.done.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("inference failed: " + e.getCause().getMessage(), e.getCause());
        }
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
            } finally {
                batch.clear();
            }
        }
        failPending(new IllegalStateException("inference batcher closed"));
    }

    private void run(List<Item> batch) {
        List<RgbImage> images = new ArrayList<>(batch.size());
        for (Item item : batch) {
            images.add(item.request().images.get(item.index()));
        }
        long start = System.nanoTime();
        float[][] embeddings;
        try {
            embeddings = model.apply(images);
        } catch (RuntimeException e) {
            LOG.error("Model run of {} images failed: {}", images.size(), e.getMessage());
            for (Item item : batch) {
                item.request().done.completeExceptionally(e);
            }
            return;
        }
        observer.onRun(images.size(), System.nanoTime() - start);
        for (int i = 0; i < batch.size(); i++) {
            Request request = batch.get(i).request();
            request.results[batch.get(i).index()] = embeddings[i];
            if (request.remaining.decrementAndGet() == 0) {
                request.done.complete(request.results);
            }
        }
    }

    private void failPending(RuntimeException error) {
        List<Item> left = new ArrayList<>();
        queue.drainTo(left);
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
            failPending(new IllegalStateException("inference batcher closed"));
        }
    }
}
