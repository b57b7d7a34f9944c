package fksteer.cli;

import fksteer.io.Models;
import fksteer.kernel.Parallel;
import fksteer.onnx.ModelCard;
import fksteer.onnx.OnnxModel;
import fksteer.onnx.OnnxOptions;
import fksteer.onnx.OnnxRewards;
import fksteer.process.Condition;
import fksteer.process.MaskedProcess;
import fksteer.process.Process;
import fksteer.process.Shape;
import fksteer.reward.Reward;
import fksteer.text.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How ONNX models (a --model card.json) and ONNX rewards (--reward onnx:FILE) run, shared by
 * {@code sample} and {@code steer}; and {@link Loaded}, the model a command runs, with the ONNX
 * sessions it opened. Given where nothing runs through ONNX, these flags are refused, not ignored.
 */
final class OnnxFlags {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--max-batch", description = "ONNX models and rewards: the most samples per ONNX Runtime call, 1 to 1048576 (default 1024)")
    Integer maxBatch;

    @Option(names = "--onnx-threads", description = "ONNX models and rewards: ONNX Runtime's intra-op threads, 1 to 256 (default: --threads, else all cores)")
    Integer onnxThreads;

    @Option(names = "--device", description = "ONNX models and rewards: cpu (default) or cuda[:N] (needs a build with -Pcuda, CUDA 12 and cuDNN 9)")
    String device;

    private boolean given(String option) {
        return spec != null && spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** ONNX Runtime's threads when --onnx-threads is not given (null: --threads); a batch sets it for its jobs. */
    Integer defaultOnnxThreads;

    OnnxOptions options() {
        OnnxOptions o = OnnxOptions.defaults().withThreads(Math.min(OnnxOptions.MAX_THREADS, Parallel.threads()));
        if (onnxThreads != null) o = o.withThreads(onnxThreads);
        else if (defaultOnnxThreads != null) o = o.withThreads(defaultOnnxThreads);
        if (maxBatch != null) o = o.withMaxBatch(maxBatch);
        if (device != null) o = o.withDevice(OnnxOptions.Device.parse(device));
        return o;
    }

    /** Opens --model: a model card (a .json whose "type" is "onnx") through ONNX Runtime, else as Models.loadProcess does. */
    Loaded open(String model, Condition condition) {
        return open(model, condition, null);
    }

    /**
     * {@link #open(String, Condition)}, taking a card's ONNX sessions from sessions (null: open them
     * here, closed with the Loaded); sessions taken from there stay open for the next run.
     */
    Loaded open(String model, Condition condition, ModelSessions sessions) {
        OnnxOptions o = options();
        Path card = card(model);
        if (card == null) return new Loaded(Models.loadProcess(model, condition), null, o, true);
        OnnxModel m = sessions == null ? OnnxModel.load(card, o) : sessions.open(card, o);
        try {
            return new Loaded(m.process(condition), m, o, sessions == null);
        } catch (RuntimeException e) {
            if (sessions == null) m.close();
            throw e;
        }
    }

    /** The model card --model names, or null when it is not a card (a built-in, safetensors or mixture model). */
    static Path card(String model) {
        if (model == null || !model.toLowerCase(Locale.ROOT).endsWith(".json")) return null;
        Path p;
        try {
            p = Path.of(model);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        return ModelCard.isCard(p) ? p : null;
    }

    /** What a plot draws: points (the first two coordinates), the samples as images, or the decoder's images of them. */
    enum Drawn { POINTS, IMAGES, DECODED_IMAGES }

    /** Whether a shape is an image ImageGrid draws: [C, H, W] with C = 1 (grey) or 3 (RGB). */
    static boolean imageLike(Shape s) {
        int[] d = s.dims();
        return d.length == 3 && (d[0] == 1 || d[0] == 3);
    }

    /**
     * What flag draws for samples of this shape, behind a decoder with output shape decoded (null for none);
     * images only where images are allowed (--plot, not --trajectory-plot). Points need shape [d] and no
     * decoder; images need an image-like shape ([C, H, W], C = 1 or 3): the samples' own without a decoder,
     * else the decoder's output. Anything else is one line naming the flag and the shape.
     */
    static Drawn drawn(String flag, Shape samples, Shape decoded, boolean images) {
        String what = images ? " draws points (shape [d]) or images (shape [C, H, W] with C = 1 or 3)" : " draws points in 2-D";
        if (decoded != null) {
            if (images && imageLike(decoded)) return Drawn.DECODED_IMAGES;
            throw new IllegalArgumentException(flag + what + ", but this model's samples are latents that its card's decoder turns into "
                    + decoded + "; the output JSON holds both (\"samples\" and \"decoded\")");
        }
        if (samples.dims().length == 1) return Drawn.POINTS;
        if (images && imageLike(samples)) return Drawn.IMAGES;
        throw new IllegalArgumentException(flag + what + "; this model's samples have shape " + samples
                + (!images && imageLike(samples) ? " (--plot draws them as images)" : ""));
    }

    /** The model a command runs, and the ONNX sessions it opened (closed with it). */
    final class Loaded implements AutoCloseable {
        final Process process;
        /** The ONNX model, or null for a built-in, safetensors or mixture model. */
        final OnnxModel onnx;
        private final OnnxOptions options;
        /** Whether the ONNX model closes with this (false: it is a shared session of {@link ModelSessions}). */
        private final boolean owned;
        private final List<AutoCloseable> opened = new ArrayList<>();
        private boolean onnxReward;

        Loaded(Process process, OnnxModel onnx, OnnxOptions options, boolean owned) {
            this.process = process;
            this.onnx = onnx;
            this.options = options;
            this.owned = owned;
        }

        /** --reward, with onnx:FILE[:class=C] terms, scoring what the model's decoder gives when its card has one. */
        Reward reward(String spec) {
            int before = opened.size();
            Reward r = onnx != null ? onnx.reward(spec, opened) : OnnxRewards.parse(spec, process.shape(), options, opened);
            onnxReward = opened.size() > before;
            return r;
        }

        /**
         * The process, starting every sample from the prompt (a text model's --prompt; null for none).
         *
         * @throws IllegalArgumentException naming --prompt for a model of points, or a text the vocabulary cannot write
         */
        Process prompted(String prompt) {
            if (prompt == null) return process;
            if (!(process instanceof MaskedProcess mp) || onnx == null)
                throw new IllegalArgumentException("--prompt applies only to text models (a masked model's card); this model's process is " + process.kind());
            return mp.withPrompt(onnx.card().vocab().encode(prompt, "prompt"));
        }

        /** The texts of n token sequences, decoded by the card's vocabulary. */
        List<String> texts(int[] tokens, int n) {
            Vocabulary v = onnx.card().vocab();
            int len = process.dim();
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) out.add(v.decode(tokens, i * len, len));
            return out;
        }

        /** Refuses --max-batch, --onnx-threads and --device where no model or reward runs through ONNX. */
        void refuseUnused() {
            if (onnx != null || onnxReward) return;
            for (String f : List.of("--max-batch", "--onnx-threads", "--device"))
                if (given(f))
                    throw new IllegalArgumentException(f + " applies only to ONNX models (--model CARD.json) and rewards (--reward onnx:FILE)");
        }

        /** The ONNX settings in a run's config, when anything ran through ONNX. */
        void record(Map<String, Object> config) {
            if (onnx == null && !onnxReward) return;
            if (onnx != null) config.put("modelCard", onnx.card().describe());
            config.put("onnxThreads", options.onnxThreads());
            config.put("maxBatch", options.maxBatch());
            config.put("device", options.device().toString());
        }

        /** The samples through the card's decoder (n rows of its output), or null when there is none. */
        float[] decoded(float[] samples, int n) {
            if (onnx == null || onnx.decoder() == null) return null;
            float[] px = new float[Math.multiplyExact(n, onnx.decoder().outputShape().size())];
            onnx.decoder().decode(samples, n, px);
            return px;
        }

        /**
         * What --plot (or --trajectory-plot) draws for this model, or a one-line refusal: see {@link #drawn}.
         * Images are drawn over the card's dataRange; decoded images over their own range (ImagePlot).
         */
        Drawn requirePlottable(String flag) {
            if (process instanceof MaskedProcess)
                throw new IllegalArgumentException(flag + " draws points or images; a text model's samples are its JSON \"texts\"");
            Drawn d = drawn(flag, process.shape(), onnx == null || onnx.decoder() == null ? null : onnx.decoder().outputShape(),
                    flag.equals("--plot"));
            if (d == Drawn.IMAGES && onnx == null)
                throw new IllegalArgumentException(flag + " draws images over a model card's \"dataRange\", and this model (shape "
                        + process.shape() + ") has no card");
            return d;
        }

        /** The card's "dataRange" {low, high}; only for an ONNX model. */
        double[] dataRange() {
            return new double[] {onnx.card().dataLow(), onnx.card().dataHigh()};
        }

        int decodedSize() {
            return onnx == null || onnx.decoder() == null ? 0 : onnx.decoder().outputShape().size();
        }

        @Override
        public void close() {
            OnnxRewards.closeAll(opened);
            if (onnx != null && owned) onnx.close();
        }
    }
}
