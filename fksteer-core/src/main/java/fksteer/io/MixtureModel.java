package fksteer.io;

import fksteer.model.GaussianMixture;
import fksteer.process.Condition;
import fksteer.process.MixtureNetwork;
import fksteer.process.Prediction;
import fksteer.process.Process;
import fksteer.process.ProcessSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A gaussian-mixture model file as read ({@link Models#loadMixtureModel}): the mixture, an optional
 * class label per component, the process its network is written for and what that network predicts.
 * The network is exact: {@link MixtureNetwork} of the mixture under that process and prediction.
 *
 * @param mixture    the data distribution
 * @param classes    a label per component, using every label 0..K-1; null for an unconditional model
 * @param process    the process (a flow with noise at t = 0 when the file has no "process")
 * @param prediction what the network predicts: velocity for a flow; epsilon, v or x0 for vp
 */
public record MixtureModel(GaussianMixture mixture, int[] classes, ProcessSpec process, Prediction prediction) {

    public MixtureModel {
        InvalidSettingException.require(mixture != null, "mixture", "is required");
        InvalidSettingException.require(process != null, "process", "is required");
        process.requirePrediction(prediction);
        if (classes != null) {
            classes = classes.clone();
            int m = mixture.components();
            InvalidSettingException.require(classes.length == m, "classes",
                    "must give one label per component (" + m + "), got " + classes.length);
            int max = -1;
            for (int j = 0; j < m; j++) {
                InvalidSettingException.require(classes[j] >= 0, "classes", "must be labels >= 0, got " + classes[j] + " for component " + j);
                max = Math.max(max, classes[j]);
            }
            InvalidSettingException.require(max < m, "classes", "uses label " + max + " with only " + m
                    + " components; the labels of K classes are 0..K-1, each used");
            boolean[] used = new boolean[max + 1];
            for (int c : classes) used[c] = true;
            for (int c = 0; c <= max; c++)
                InvalidSettingException.require(used[c], "classes", "uses labels up to " + max + " but not " + c
                        + "; the labels of K classes are 0..K-1, each used");
        }
    }

    /** Today's model: a flow with noise at t = 0, velocity, no classes (the mixture is its own velocity field). */
    public static MixtureModel plain(GaussianMixture mixture) {
        return new MixtureModel(mixture, null, ProcessSpec.flow(), Prediction.VELOCITY);
    }

    @Override
    public int[] classes() {
        return classes == null ? null : classes.clone();
    }

    /** The number of classes K (labels 0..K-1), 0 for an unconditional model. */
    public int classCount() {
        int max = -1;
        if (classes != null) for (int c : classes) max = Math.max(max, c);
        return max + 1;
    }

    /** Whether this is today's model: a flow with noise at t = 0 (no shift), predicting velocity, without classes. */
    public boolean plain() {
        return classes == null && prediction == Prediction.VELOCITY && process.equals(ProcessSpec.flow());
    }

    /** The exact network of the mixture under this process and prediction. */
    public MixtureNetwork network() {
        return new MixtureNetwork(mixture, classes, process, prediction);
    }

    /** The process of this model's network under condition c (Condition.NONE: the whole mixture). */
    public Process bind(Condition c) {
        return process.bind(network(), prediction, c);
    }

    /** What is not today's default, in the file's terms: e.g. "process" kind vp (cosine), "prediction" epsilon, "classes" (3). */
    public String nonDefaults() {
        List<String> parts = new ArrayList<>();
        if (process instanceof ProcessSpec.Vp vp) parts.add("\"process\" kind vp (" + vp.schedule().id() + ")");
        else if (process instanceof ProcessSpec.Flow f && !f.equals(ProcessSpec.flow()))
            parts.add("\"process\" kind flow with noiseAt " + f.noiseAt() + (f.shift() != 1.0 ? " and shift " + f.shift() : ""));
        if (prediction != Prediction.VELOCITY) parts.add("\"prediction\" " + prediction.id);
        if (classes != null) parts.add("\"classes\" (" + classCount() + ")");
        if (parts.isEmpty()) return "none";
        if (parts.size() == 1) return parts.get(0);
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }
}
