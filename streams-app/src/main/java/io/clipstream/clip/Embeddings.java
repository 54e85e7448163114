package io.clipstream.clip;

/** Operations on CLIP embeddings: L2 normalisation, cosine similarity and CLIP's zero-shot softmax. */
public final class Embeddings {

    /** The logit scale OpenAI's trained CLIPs reach (the clamp value): zero-shot logits are 100 × cosine. */
    public static final float CLIP_LOGIT_SCALE = 100f;

    private Embeddings() {}

    /** Scales {@code v} in place to unit L2 norm and returns it; a zero vector is left as it is. */
    public static float[] l2Normalize(float[] v) {
        double sum = 0;
        for (float x : v) {
            sum += (double) x * x;
        }
        if (sum > 0) {
            float inv = (float) (1.0 / Math.sqrt(sum));
            for (int i = 0; i < v.length; i++) {
                v[i] *= inv;
            }
        }
        return v;
    }

    /** The dot product, which is the cosine for L2-normalised vectors. */
    public static float dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dimensions differ: " + a.length + " vs " + b.length);
        }
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return (float) sum;
    }

    /** The cosine similarity of two vectors of any norm. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /**
     * CLIP's zero-shot probabilities: softmax over {@code logitScale} × cosine, computed stably.
     *
     * @param cosines cosine of the image with each label
     */
    public static double[] softmax(float[] cosines, float logitScale) {
        double max = Double.NEGATIVE_INFINITY;
        for (float c : cosines) {
            max = Math.max(max, (double) logitScale * c);
        }
        double[] p = new double[cosines.length];
        double sum = 0;
        for (int i = 0; i < cosines.length; i++) {
            p[i] = Math.exp((double) logitScale * cosines[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }
}
