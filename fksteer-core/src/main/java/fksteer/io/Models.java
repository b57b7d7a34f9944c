package fksteer.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import fksteer.model.GaussianMixture;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import fksteer.model.VelocityField;
import fksteer.process.BetaSchedule;
import fksteer.process.Condition;
import fksteer.process.FlowProcess;
import fksteer.process.MixtureNetwork;
import fksteer.process.Prediction;
import fksteer.process.Process;
import fksteer.process.ProcessSpec;
import fksteer.process.TimestepSpacing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loading and saving models. A flow MLP is stored as safetensors with PyTorch's names for
 * {@code nn.Sequential(Linear, ELU, Linear, ELU, ..., Linear)}: net.0.weight [out, in], net.0.bias,
 * net.2.weight, ... so a state_dict exported from the reference's {@code Flow} module loads as is.
 */
public final class Models {
    /** Name of the pretrained model shipped in the jar. */
    public static final String CHECKERBOARD = "checkerboard";
    private static final String RESOURCE = "/models/checkerboard.safetensors";
    /** Mixture files are parsed as a stream with duplicate keys as errors (not "last one wins"). */
    private static final JsonFactory STRICT_JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /**
     * The largest pre-activation magnitude a flow MLP may reach on a unit-scale input (t and every
     * coordinate of x in [-1, 1]), bounded layer by layer: |h_j| <= |b_j| + sum_k |W_jk| * B, where B
     * is the previous layer's bound (1 for the input, and max(bound, 1) after an ELU, since ELU maps
     * into (-1, h]). Float overflows at 3.4e38; a bound of 1e30 leaves a factor of 3e8 of headroom, and
     * the bound grows at most linearly with the input's scale, so states up to about 3e8 in every
     * coordinate stay finite. The same limit bounds backpropagation: the product over layers of the
     * largest column sum of |W| (how much a unit cotangent can grow, as ELU' <= 1). A model beyond either
     * (a bias of 1e30, say) cannot give finite velocities or gradients and is refused when loaded.
     */
    public static final double MAX_ACTIVATION = 1e30;
    /**
     * The widest layer: each thread keeps 256-row scratch buffers of the widest layer, and
     * 256 x 2^20 floats is the most that keeps them (and their int indices) far from overflow.
     */
    public static final int MAX_WIDTH = 1 << 20;

    private static final Pattern LAYER = Pattern.compile("net\\.(0|[1-9]\\d{0,8})\\.(weight|bias)");

    private Models() {}

    /**
     * Resolves --model: "checkerboard", a .safetensors flow MLP or a .json Gaussian mixture, as a velocity
     * field with noise at t = 0. A mixture file whose "process", "prediction" or "classes" say otherwise
     * is refused with one line pointing to {@link #loadProcess}, never run as the wrong process.
     */
    public static VelocityField load(String spec) {
        Opened o = open(spec);
        if (o.field() != null) return o.field();
        MixtureModel m = o.mixture();
        if (m.plain()) return m.mixture();
        throw new InvalidSettingException("model", Quote.of(spec, 0, 300) + ": a mixture with " + m.nonDefaults()
                + " cannot run here: the commands and Models.load run flows with noise at t = 0, velocity and no classes only; "
                + "Java callers load it with Models.loadProcess");
    }

    /**
     * Resolves a model as the {@link Process} it was written for, under a condition (Condition.NONE for
     * none). "checkerboard", a .safetensors flow MLP and a plain mixture (no "process", or a flow with
     * noise at 0; velocity; no "classes") give {@link FlowProcess#of(VelocityField)}, today's fast path;
     * any other mixture gives its process bound to its exact {@link MixtureNetwork}.
     *
     * @throws InvalidSettingException naming model for a bad file, or condition when the model takes no
     *         condition or the condition does not fit its classes
     */
    public static Process loadProcess(String spec, Condition condition) {
        InvalidSettingException.require(condition != null, "condition", "is required (Condition.NONE for none)");
        Opened o = open(spec);
        MixtureModel m = o.mixture();
        if (m != null && !m.plain()) return m.bind(condition);
        VelocityField f = o.field() != null ? o.field() : m.mixture();
        InvalidSettingException.require(condition.none(), "condition", "is given, but the model " + Quote.of(spec, 0, 300)
                + " takes no condition" + (m != null ? " (its file has no \"classes\")" : ""));
        return FlowProcess.of(f);
    }

    /** A resolved --model: a velocity field (checkerboard, safetensors) or a mixture file. */
    private record Opened(VelocityField field, MixtureModel mixture) {}

    private static Opened open(String spec) {
        if (spec == null || spec.isBlank()) throw new InvalidSettingException("model", "is required: checkerboard, FILE.safetensors or FILE.json");
        if (spec.equalsIgnoreCase(CHECKERBOARD)) return new Opened(new MlpFlow(checkerboardMlp()), null); // names are case-insensitive
        Path p;
        try {
            p = Path.of(spec);
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidSettingException("model", Quote.of(spec) + " is not a valid path: " + Quote.of(String.valueOf(e.getReason())));
        }
        String lower = spec.toLowerCase(java.util.Locale.ROOT);
        try {
            if (lower.endsWith(".json")) return new Opened(null, loadMixtureModel(p));
            if (lower.endsWith(".safetensors")) return new Opened(new MlpFlow(loadMlp(p)), null);
        } catch (InvalidSettingException e) {
            throw e;
        } catch (BadInputException e) {
            throw new InvalidSettingException("model", e.getMessage()); // the reader names the file and the field or tensor
        }
        throw new InvalidSettingException("model", "must be 'checkerboard', a .safetensors file or a .json file; got " + Quote.of(spec));
    }

    public static Mlp checkerboardMlp() {
        try (InputStream in = Models.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new InvalidSettingException("model", "checkerboard: the pretrained model is missing from this build");
            return toMlp(Safetensors.parse(in.readAllBytes(), "checkerboard (built in)"), "checkerboard");
        } catch (IOException e) {
            throw new InvalidSettingException("model", "checkerboard: cannot read the built-in model: " + e.getMessage());
        }
    }

    public static Mlp loadMlp(Path p) {
        return toMlp(Safetensors.read(p), p.toString());
    }

    /**
     * Builds the MLP from net.{2l}.weight / net.{2l}.bias tensors, checking names, shapes, values
     * (finite) and magnitudes (see {@link #MAX_ACTIVATION}).
     */
    public static Mlp toMlp(Safetensors.Contents c, String name) {
        String where = "safetensors file " + Quote.of(name, 0, 300) + ": ";
        TreeMap<Integer, Map.Entry<String, Safetensors.Tensor>> ws = new TreeMap<>(), bs = new TreeMap<>();
        for (var e : c.tensors().entrySet()) {
            String k = e.getKey();
            String key = k.startsWith("net.") ? k : k.replaceFirst("^.*?\\.(net\\.)", "$1"); // tolerate a module prefix
            Matcher m = LAYER.matcher(key);
            if (!m.matches())
                throw new BadInputException(where + "unexpected tensor " + Quote.of(k) + "; expected net.<i>.weight and net.<i>.bias");
            var old = (m.group(2).equals("weight") ? ws : bs).put(Integer.parseInt(m.group(1)), e);
            if (old != null)
                throw new BadInputException(where + "tensors " + Quote.of(old.getKey()) + " and " + Quote.of(k) + " are both " + key);
        }
        if (ws.isEmpty()) throw new BadInputException(where + "no net.<i>.weight tensors");
        for (int i : ws.keySet())
            if (!bs.containsKey(i)) throw new BadInputException(where + "tensor " + Quote.of(ws.get(i).getKey()) + " has no matching net." + i + ".bias");
        for (int i : bs.keySet())
            if (!ws.containsKey(i)) throw new BadInputException(where + "tensor " + Quote.of(bs.get(i).getKey()) + " has no matching net." + i + ".weight");
        List<Integer> idx = new ArrayList<>(ws.keySet());
        for (int l = 0; l < idx.size(); l++)
            if (idx.get(l) != 2 * l)
                throw new BadInputException(where + "layers must be net.0, net.2, net.4, ... (Linear/ELU pairs); found net." + idx.get(l)
                        + " where net." + 2 * l + " belongs");
        int layers = idx.size();
        int[] sizes = new int[layers + 1];
        float[][] w = new float[layers][], b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            var we = ws.get(2 * l);
            var be = bs.get(2 * l);
            String wn = "net." + 2 * l + ".weight", bn = "net." + 2 * l + ".bias"; // canonical names: any module prefix dropped
            long[] wsh = we.getValue().shape(), bsh = be.getValue().shape();
            if (wsh.length != 2) throw new BadInputException(where + wn + " must be 2-D [out, in], got shape " + Arrays.toString(wsh));
            for (long dim : wsh)
                if (dim < 1 || dim > MAX_WIDTH)
                    throw new BadInputException(where + wn + " has shape " + Arrays.toString(wsh) + "; layer sizes must be in [1, " + MAX_WIDTH + "]");
            int out = (int) wsh[0], in = (int) wsh[1];
            if (l == 0) sizes[0] = in;
            else if (in != sizes[l])
                throw new BadInputException(where + wn + " has " + in + " inputs but the previous layer has " + sizes[l] + " outputs");
            if (bsh.length != 1 || bsh[0] != out)
                throw new BadInputException(where + bn + " must have shape [" + out + "], got " + Arrays.toString(bsh));
            sizes[l + 1] = out;
            w[l] = we.getValue().data();
            b[l] = be.getValue().data();
            checkFinite(w[l], where + wn);
            checkFinite(b[l], where + bn);
        }
        if (sizes[0] != sizes[layers] + 1)
            throw new BadInputException(where + "a flow model maps [t, x] to v, so inputs must be outputs + 1; got " + sizes[0] + " -> " + sizes[layers]);
        checkMagnitudes(sizes, w, b, ws, bs, where);
        return Mlp.fromTorch(sizes, w, b);
    }

    private static void checkFinite(float[] a, String what) {
        for (int i = 0; i < a.length; i++)
            if (!Float.isFinite(a[i])) throw new BadInputException(what + " holds " + a[i] + " at flat index " + i + "; every value must be finite");
    }

    /** Refuses weights whose forward pass on a unit-scale input could exceed {@link #MAX_ACTIVATION}. */
    private static void checkMagnitudes(int[] sizes, float[][] w, float[][] b, TreeMap<Integer, Map.Entry<String, Safetensors.Tensor>> ws,
            TreeMap<Integer, Map.Entry<String, Safetensors.Tensor>> bs, String where) {
        double bound = 1; // |t| and |x_i| <= 1
        for (int l = 0; l < w.length; l++) {
            int in = sizes[l], out = sizes[l + 1];
            double next = 0, maxBias = 0;
            for (int j = 0; j < out; j++) {
                double row = 0;
                for (int k = 0; k < in; k++) row += Math.abs(w[l][j * in + k]);
                maxBias = Math.max(maxBias, Math.abs(b[l][j]));
                next = Math.max(next, Math.abs(b[l][j]) + bound * row);
            }
            if (!(next <= MAX_ACTIVATION)) {
                String culprit = maxBias > MAX_ACTIVATION ? bs.get(2 * l).getKey() : ws.get(2 * l).getKey();
                throw new BadInputException(where + "tensor " + Quote.of(culprit) + " is too large: layer net." + 2 * l
                        + " can reach magnitude " + String.format(java.util.Locale.ROOT, "%.3g", next)
                        + " on inputs in [-1, 1], above the limit " + MAX_ACTIVATION + " that keeps float (max 3.4e38) from overflowing");
            }
            bound = Math.max(next, 1); // ELU maps h into (-1, h]; the last layer is linear, and its bound is the output's
        }
        // Backward: a unit cotangent grows by at most the largest column sum of |W| per layer (ELU' <= 1).
        double grad = 1;
        for (int l = w.length - 1; l >= 0; l--) {
            int in = sizes[l], out = sizes[l + 1];
            double[] col = new double[in];
            for (int j = 0; j < out; j++)
                for (int k = 0; k < in; k++) col[k] += Math.abs(w[l][j * in + k]);
            double max = 0;
            for (double v : col) max = Math.max(max, v);
            grad *= max;
            if (!(grad <= MAX_ACTIVATION))
                throw new BadInputException(where + "tensor " + Quote.of(ws.get(2 * l).getKey()) + " is too large: gradients through layers net."
                        + 2 * l + " to the output can grow by " + String.format(java.util.Locale.ROOT, "%.3g", grad) + ", above the limit "
                        + MAX_ACTIVATION + " that keeps float (max 3.4e38) from overflowing");
        }
    }

    public static void saveMlp(Mlp mlp, Path p, Map<String, String> metadata) throws IOException {
        Map<String, Safetensors.Tensor> t = new LinkedHashMap<>();
        int[] s = mlp.sizes();
        for (int l = 0; l < mlp.layers(); l++) {
            t.put("net." + 2 * l + ".weight", new Safetensors.Tensor(new long[] {s[l + 1], s[l]}, mlp.torchWeight(l)));
            t.put("net." + 2 * l + ".bias", new Safetensors.Tensor(new long[] {s[l + 1]}, mlp.torchBias(l)));
        }
        Map<String, String> md = new LinkedHashMap<>();
        md.put("format", "fksteer-flow-mlp");
        md.put("activation", "elu");
        md.put("input", "[t, x]; t=0 noise, t=1 data; x_t = (1-t) x0 + t x1");
        if (metadata != null) md.putAll(metadata);
        Safetensors.write(p, t, md);
    }

    /** The largest mixture file read: 64 MiB, which bounds the memory its parsing can take. */
    public static final long MAX_MIXTURE_FILE = 64L << 20;
    /**
     * The largest mixture dimension. With at most 2^16 coordinates, the per-point and 256-row buffers
     * stay far from int overflow, and a run's n x d arrays overflow only for n above 32768 particles,
     * which the run's own size checks refuse; a 100k-dimensional mixture is refused here with one line.
     */
    public static final int MAX_MIXTURE_DIM = 1 << 16;
    /** The most mean coordinates (components x dimension): 2^24 doubles, 128 MiB. */
    public static final long MAX_MIXTURE_ENTRIES = 1L << 24;
    /** The largest |mean| coordinate. */
    public static final double MAX_MEAN = 1e6;
    /** The range of component standard deviations. */
    public static final double MIN_STD = 1e-4, MAX_STD = 1e4;
    /*
     * Why these bounds keep the field finite: the velocity is a posterior average of
     * v_j = mu_j + c_j (x - t mu_j) with c_j = (t s^2 - (1 - t)) / var_j(t), var_j = (1-t)^2 + t^2 s^2.
     * Since |t s^2 - (1-t)| <= max(s^2, 1) and var_j >= s^2 / (1 + s^2), |c_j| <= max(s^2, 1)(1 + s^2)/s^2,
     * which is at most about 2e8 for s in [1e-4, 1e4]. So |v| <= 1e6 + 2e8 (|x| + 1e6), below
     * Float.MAX_VALUE (3.4e38) for every state with |x| up to 1e29, and the score (t v - x)/(1 - t) is
     * as finite as the time grid allows. The posterior log-weights, computed in double, hold
     * d (|x| + |mu|)^2 (1 + s^2) / s^2 <= 2^16 x 1e58 x 1e8, far below Double.MAX_VALUE.
     */

    /**
     * The fields of a mixture file. Any other field is an error: a field from a newer format that this
     * reader ignored would give a different model without a word. New optional fields go here and into
     * the switch in {@link #readMixture}.
     */
    private static final List<String> MIXTURE_FIELDS = List.of("type", "weights", "means", "stds", "process", "prediction", "classes");
    /** The fields of "process" by kind; a field of the other kind is an error too. */
    private static final List<String> FLOW_FIELDS = List.of("kind", "noiseAt", "shift"),
            VP_FIELDS = List.of("kind", "schedule", "betaStart", "betaEnd", "trainSteps", "clipSample"),
            MASKED_FIELDS = List.of("kind", "schedule", "eps");
    /** The names of "process"."kind", "process"."schedule" and "prediction", exactly (no aliases, no other case). */
    private static final List<String> KINDS = List.of("flow", "vp", "masked"), SCHEDULES = List.of("linear", "scaled-linear", "cosine", "log-linear"),
            PREDICTIONS = List.of("velocity", "epsilon", "x0", "v");
    /**
     * The smallest β a linear or scaled-linear schedule may start at: 1 - ᾱ_0 >= 1e-8 is resolved by
     * double to about 8 digits, so s = sqrt(1 - ᾱ) >= 1e-4 at the least noisy step and ε = (x - a x̂0) / s
     * stays finite. Below about 1.1e-16, 1 - β rounds to 1, s to 0, and DDIM and DDPM would divide by 0.
     */
    public static final double MIN_BETA = 1e-8;
    /**
     * The smallest ᾱ a vp schedule may leave at its noisiest step T - 1: a = sqrt(ᾱ) >= 1e-10, so
     * x̂0 = (x - s ε̂) / a magnifies ε̂ at most 1e10-fold and stays finite in float for states up to 1e28.
     * The named schedules keep far more signal (at T = 1000: linear 4e-5, scaled-linear 5e-3, cosine 2e-9;
     * cosine at T = 100,000 2e-13); linear 1e-4..0.02 over 100,000 steps leaves ᾱ near 1e-322 and is refused.
     */
    public static final double MIN_ALPHA_BAR = 1e-20;
    /**
     * The range of a flow's timestep shift. ProcessSpec.Flow takes any shift in (0, 1e6], but its grid
     * σ' = shift σ / (1 + (shift - 1) σ) divides by 1 + (shift - 1) σ, which rounds to 0 at σ = 1 for a
     * shift below about 1e-16; from 1e-6 up it keeps 10 digits, and the range is symmetric in log.
     */
    public static final double MIN_SHIFT = 1e-6, MAX_SHIFT = 1e6;

    /**
     * Reads a gaussian-mixture file as {@link #loadMixtureModel} does and returns its mixture, which is
     * its own velocity field with noise at t = 0; a file with a "process", "prediction" or "classes"
     * that say otherwise is refused (use {@link #loadMixtureModel} or {@link #loadProcess}).
     */
    public static GaussianMixture loadMixture(Path p) {
        return plainMixture(loadMixtureModel(p), Quote.of(p.toString(), 0, 300) + ": ");
    }

    /**
     * Reads {"type": "gaussian-mixture", "weights": [...], "means": [[...], ...], "stds": [...]} and the
     * optional "process", "prediction" and "classes" (README, "Mixture files"): these fields only, once
     * each, and nothing after the object. Weights are finite, positive and sum to 1 within 1e-6 (never
     * normalised for you); means and stds are finite and within {@link #MAX_MEAN}, [{@link #MIN_STD},
     * {@link #MAX_STD}]; all means have one dimension, at most {@link #MAX_MIXTURE_DIM}.
     *
     * <p>"process" is {"kind": "flow"} (the default; "noiseAt": 0 or 1, default 0; "shift" in [1e-6, 1e6],
     * default 1, with noiseAt 1 only) or {"kind": "vp", "schedule": "linear" | "scaled-linear" | "cosine"}
     * with "betaStart" and "betaEnd" (linear and scaled-linear only; defaults those of
     * {@link BetaSchedule#linear()} and {@link BetaSchedule#scaledLinear()}, each in [{@link #MIN_BETA}, 1))
     * and "trainSteps" (default 1000), and "clipSample" r > 0 to clamp x̂0 to [-r, r] as diffusers' clip_sample does
     * (default: no clipping). A vp model is sampled on {@link TimestepSpacing#TRAILING} steps,
     * which is not a file field: trailing spacing starts at the noisiest step T - 1, where the marginal
     * is closest to the N(0, I) the sampler starts from (leading spacing never reaches T - 1, so it would
     * start from noise at a step that still holds signal). "prediction" is velocity (the default; flows only) or
     * epsilon, v, x0 (vp only); "classes" gives a label per component, using every label 0..K-1.
     */
    public static MixtureModel loadMixtureModel(Path p) {
        String where = Quote.of(p.toString(), 0, 300) + ": ";
        InputFiles.regularFileSize(p, where, "a .json gaussian-mixture file", MAX_MIXTURE_FILE);
        try (InputStream in = Files.newInputStream(p); JsonParser jp = STRICT_JSON.createParser(in)) {
            return readMixture(jp, where);
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + "not valid JSON: " + jsonProblem(e));
        } catch (NoSuchFileException e) {
            throw new BadInputException(where + "file not found");
        } catch (IOException e) {
            throw new BadInputException(where + "cannot read it: " + Quote.of(String.valueOf(e.getMessage())));
        }
    }

    /** Checks a plain mixture given as a JSON tree, as {@link #loadMixture} does a file; name is used in messages. */
    public static GaussianMixture parseMixture(JsonNode root, String name) {
        return plainMixture(parseMixtureModel(root, name), Quote.of(name, 0, 300) + ": ");
    }

    /** Checks a mixture model given as a JSON tree, as {@link #loadMixtureModel} does a file; name is used in messages. */
    public static MixtureModel parseMixtureModel(JsonNode root, String name) {
        String where = Quote.of(name, 0, 300) + ": ";
        if (root == null) throw new BadInputException(where + "expected a JSON object");
        try (JsonParser jp = root.traverse()) {
            return readMixture(jp, where);
        } catch (IOException e) {
            throw new BadInputException(where + "not valid JSON: " + Quote.of(String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
        }
    }

    private static GaussianMixture plainMixture(MixtureModel m, String where) {
        if (!m.plain())
            throw new BadInputException(where + "a mixture with " + m.nonDefaults() + " is not a velocity field with noise at t = 0; "
                    + "read it with Models.loadMixtureModel or Models.loadProcess");
        return m.mixture();
    }

    private static String jsonProblem(JsonProcessingException e) {
        var loc = e.getLocation();
        return Quote.of(String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse(""))
                + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr());
    }

    private static MixtureModel readMixture(JsonParser jp, String where) throws IOException {
        if (jp.nextToken() != JsonToken.START_OBJECT) throw new BadInputException(where + "expected a JSON object, got " + token(jp));
        double[] w = null, s = null;
        double[][] means = null;
        boolean typed = false;
        ProcessSpec process = null;
        Prediction prediction = null;
        int[] classes = null;
        while (jp.nextToken() == JsonToken.FIELD_NAME) {
            String f = jp.currentName();
            JsonToken v = jp.nextToken();
            switch (f) {
                case "type" -> {
                    if (v != JsonToken.VALUE_STRING || !jp.getText().equals("gaussian-mixture"))
                        throw new BadInputException(where + "field \"type\" must be \"gaussian-mixture\", got " + token(jp));
                    typed = true;
                }
                case "weights" -> w = numbers(jp, where + "field \"weights\"", MAX_MIXTURE_ENTRIES);
                case "stds" -> s = numbers(jp, where + "field \"stds\"", MAX_MIXTURE_ENTRIES);
                case "means" -> means = means(jp, where);
                case "process" -> process = readProcess(jp, where + "field \"process\"");
                case "prediction" -> prediction = Prediction.parse(name(jp, where + "field \"prediction\"", PREDICTIONS));
                case "classes" -> classes = labels(jp, where + "field \"classes\"");
                default -> throw new BadInputException(where + "unknown field " + Quote.of(f) + "; a gaussian-mixture has only " + listed(MIXTURE_FIELDS));
            }
        }
        requireEnd(jp, where, "a model file");
        if (!typed) throw new BadInputException(where + "missing field \"type\": \"gaussian-mixture\"");
        if (w == null) throw new BadInputException(where + "missing field \"weights\"");
        if (means == null) throw new BadInputException(where + "missing field \"means\"");
        if (s == null) throw new BadInputException(where + "missing field \"stds\"");
        int m = w.length;
        if (m == 0) throw new BadInputException(where + "field \"weights\" must not be empty");
        if (means.length != m || s.length != m)
            throw new BadInputException(where + "fields \"weights\", \"means\" and \"stds\" must have the same length, got "
                    + m + ", " + means.length + ", " + s.length);
        int d = means[0].length;
        if (d == 0) throw new BadInputException(where + "field \"means\"[0] must have at least one coordinate");
        double sum = 0;
        for (int j = 0; j < m; j++) {
            if (!(w[j] > 0) || !Double.isFinite(w[j]))
                throw new BadInputException(where + "field \"weights\"[" + j + "] must be a finite number > 0, got " + w[j]);
            sum += w[j];
            if (!(s[j] >= MIN_STD && s[j] <= MAX_STD))
                throw new BadInputException(where + "field \"stds\"[" + j + "] must be a number in [" + MIN_STD + ", " + MAX_STD + "], got " + s[j]);
            if (means[j].length != d)
                throw new BadInputException(where + "field \"means\"[" + j + "] has dimension " + means[j].length + ", but \"means\"[0] has " + d);
            for (int k = 0; k < d; k++)
                if (!(Math.abs(means[j][k]) <= MAX_MEAN))
                    throw new BadInputException(where + "field \"means\"[" + j + "][" + k + "] must be a finite number with |value| <= "
                            + MAX_MEAN + ", got " + means[j][k]);
        }
        if (!(Math.abs(sum - 1) <= 1e-6))
            throw new BadInputException(where + "field \"weights\" sums to " + sum + "; the weights must sum to 1 (within 1e-6), and are not normalised for you");
        GaussianMixture gm;
        try {
            gm = new GaussianMixture(w, means, s);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + e.getMessage());
        }
        if (process == null) process = ProcessSpec.flow();
        if (prediction == null && process instanceof ProcessSpec.Vp)
            throw new BadInputException(where + "field \"prediction\" is missing; a vp process needs \"epsilon\", \"v\" or \"x0\" "
                    + "(the default, \"velocity\", is a flow's)");
        try {
            return new MixtureModel(gm, classes, process, prediction == null ? Prediction.VELOCITY : prediction);
        } catch (InvalidSettingException e) { // prediction against process, classes against components: the record's checks
            throw new BadInputException(where + "field \"" + e.setting() + "\" " + e.problem());
        }
    }

    /**
     * Refuses anything after the JSON value that jp has just read: one line (Jackson's own trailing-token
     * message names its Java classes), "unexpected content after the JSON object at line L; WHAT holds
     * one object". where prefixes the message.
     */
    public static void requireEnd(JsonParser jp, String where, String what) throws IOException {
        JsonToken after;
        try {
            after = jp.nextToken();
        } catch (JsonProcessingException e) {
            after = JsonToken.NOT_AVAILABLE;
        }
        if (after != null)
            throw new BadInputException(where + "unexpected content after the JSON object"
                    + (jp.currentTokenLocation().getLineNr() > 0 ? " at line " + jp.currentTokenLocation().getLineNr() : "")
                    + "; " + what + " holds one object");
    }

    /**
     * Reads a "process" object given as a JSON tree, exactly as a mixture file's "process" field is read
     * (see {@link #loadMixtureModel}); what names the field in messages (e.g. a model card's path and field).
     */
    public static ProcessSpec parseProcess(JsonNode node, String what) {
        if (node == null) throw new BadInputException(what + " is required");
        try (JsonParser jp = node.traverse()) {
            jp.nextToken();
            return readProcess(jp, what);
        } catch (IOException e) {
            throw new BadInputException(what + " is not valid JSON: " + Quote.of(String.valueOf(e.getMessage()).lines().findFirst().orElse("")));
        }
    }

    /** The names of "prediction", exactly as files write them. */
    public static List<String> predictionNames() {
        return PREDICTIONS;
    }

    /**
     * "process": an object of the fields of its kind (see {@link #loadMixtureModel}), its parser on the
     * object's first token; what names the field in messages.
     */
    private static ProcessSpec readProcess(JsonParser jp, String what) throws IOException {
        if (jp.currentToken() != JsonToken.START_OBJECT)
            throw new BadInputException(what + " must be an object such as {\"kind\": \"flow\"} or {\"kind\": \"vp\", \"schedule\": \"linear\"}, got "
                    + token(jp));
        String kind = null, schedule = null;
        Integer noiseAt = null, trainSteps = null;
        Double shift = null, betaStart = null, betaEnd = null, clipSample = null, eps = null;
        List<String> seen = new ArrayList<>();
        while (jp.nextToken() == JsonToken.FIELD_NAME) {
            String f = jp.currentName();
            jp.nextToken();
            String at = what + ".\"" + f + "\"";
            switch (f) {
                case "kind" -> kind = name(jp, at, KINDS);
                case "schedule" -> schedule = name(jp, at, SCHEDULES);
                case "noiseAt" -> noiseAt = integer(jp, at, 0, 1);
                case "trainSteps" -> trainSteps = integer(jp, at, 2, BetaSchedule.MAX_TRAIN_STEPS);
                case "shift" -> shift = number(jp, at, "[" + MIN_SHIFT + ", " + MAX_SHIFT + "]", x -> x >= MIN_SHIFT && x <= MAX_SHIFT);
                case "betaStart" -> betaStart = number(jp, at, "[" + MIN_BETA + ", 1)", x -> x >= MIN_BETA && x < 1);
                case "betaEnd" -> betaEnd = number(jp, at, "[" + MIN_BETA + ", 1)", x -> x >= MIN_BETA && x < 1);
                case "clipSample" -> clipSample = number(jp, at, "(0, 1e6]", x -> x > 0 && x <= 1e6);
                case "eps" -> eps = number(jp, at, "(0, 0.5]", x -> x > 0 && x <= 0.5);
                default -> throw new BadInputException(what + " has unknown field " + Quote.of(f) + "; a flow process has only " + listed(FLOW_FIELDS)
                        + ", a vp process only " + listed(VP_FIELDS) + ", a masked process only " + listed(MASKED_FIELDS));
            }
            seen.add(f);
        }
        if (kind == null) throw new BadInputException(what + " needs \"kind\": \"flow\", \"vp\" or \"masked\"");
        List<String> fields = kind.equals("flow") ? FLOW_FIELDS : kind.equals("masked") ? MASKED_FIELDS : VP_FIELDS;
        for (String f : seen)
            if (!fields.contains(f))
                throw new BadInputException(what + ".\"" + f + "\" is not a field of a " + kind + " process, which has only " + listed(fields));
        try {
            if (kind.equals("flow")) {
                int at = noiseAt == null ? 0 : noiseAt;
                if (shift != null && at != 1)
                    throw new BadInputException(what + ".\"shift\" applies to \"noiseAt\": 1 only (the SD3/Flux convention); this flow has noise at 0");
                return new ProcessSpec.Flow(at, shift == null ? 1.0 : shift);
            }
            if (kind.equals("masked")) {
                if (schedule == null || !schedule.equals("log-linear"))
                    throw new BadInputException(what + " needs \"schedule\": \"log-linear\" for kind masked (MDLM's), got "
                            + (schedule == null ? "none" : Quote.of(schedule)));
                return new ProcessSpec.Masked(eps == null ? fksteer.process.MaskedScheduler.DEFAULT_EPS : eps);
            }
            if (schedule == null || schedule.equals("log-linear"))
                throw new BadInputException(what + " needs \"schedule\": " + listed(SCHEDULES.subList(0, 3)) + " for kind vp"
                        + (schedule == null ? "" : " (log-linear is masked diffusion's)"));
            BetaSchedule named = switch (schedule) {
                case "linear" -> BetaSchedule.linear();
                case "scaled-linear" -> BetaSchedule.scaledLinear();
                default -> BetaSchedule.cosine();
            };
            if (named.kind() == BetaSchedule.Kind.COSINE && (betaStart != null || betaEnd != null))
                throw new BadInputException(what + ".\"" + (betaStart != null ? "betaStart" : "betaEnd")
                        + "\" applies to the linear and scaled-linear schedules only; the cosine schedule's betas follow from \"trainSteps\" alone");
            double b0 = betaStart != null ? betaStart : named.betaStart(), b1 = betaEnd != null ? betaEnd : named.betaEnd();
            if (named.kind() != BetaSchedule.Kind.COSINE && !(b0 <= b1))
                throw new BadInputException(what + ".\"betaStart\" must be <= \"betaEnd\", got " + b0 + (betaStart == null ? " (the default)" : "")
                        + " > " + b1 + (betaEnd == null ? " (the default)" : ""));
            BetaSchedule bs = new BetaSchedule(named.kind(), b0, b1, trainSteps == null ? 1000 : trainSteps);
            double last = bs.alphasCumprod()[bs.trainSteps() - 1];
            if (!(last >= MIN_ALPHA_BAR))
                throw new BadInputException(what + " leaves alpha-bar = " + last + " at its noisiest step " + (bs.trainSteps() - 1) + ", below "
                        + MIN_ALPHA_BAR + ": too little signal for x0 = (x - s eps) / sqrt(alpha-bar) to stay finite; lower \"betaEnd\" or \"trainSteps\"");
            return new ProcessSpec.Vp(bs, TimestepSpacing.TRAILING, clipSample == null ? 0 : clipSample);
        } catch (InvalidSettingException e) { // the records' own checks, should one be stricter than the above
            throw new BadInputException(what + ".\"" + e.setting() + "\" " + e.problem());
        }
    }

    private static String listed(List<String> names) {
        return String.join(", ", names.stream().map(x -> "\"" + x + "\"").toList());
    }

    /** A JSON string that is one of names, exactly. */
    private static String name(JsonParser jp, String what, List<String> names) throws IOException {
        if (jp.currentToken() != JsonToken.VALUE_STRING || !names.contains(jp.getText()))
            throw new BadInputException(what + " must be one of " + listed(names) + ", got " + token(jp));
        return jp.getText();
    }

    /** A JSON integer (no fraction, no exponent) in [lo, hi]. */
    private static int integer(JsonParser jp, String what, int lo, int hi) throws IOException {
        if (jp.currentToken() != JsonToken.VALUE_NUMBER_INT || jp.getNumberType() != JsonParser.NumberType.INT
                || jp.getIntValue() < lo || jp.getIntValue() > hi)
            throw new BadInputException(what + " must be an integer in [" + lo + ", " + hi + "], got " + token(jp));
        return jp.getIntValue();
    }

    /** A JSON number within range (an overflowing one reads as infinite, and NaN is no JSON number). */
    private static double number(JsonParser jp, String what, String range, java.util.function.DoublePredicate inRange) throws IOException {
        JsonToken t = jp.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT)
            throw new BadInputException(what + " must be a number in " + range + ", got " + token(jp));
        double x = jp.getDoubleValue();
        if (!inRange.test(x)) throw new BadInputException(what + " must be a number in " + range + ", got " + x);
        return x;
    }

    /**
     * "classes": an array of at most {@link #MAX_MIXTURE_ENTRIES} int labels >= 0, its parser on the array; their count
     * and range against the components are {@link MixtureModel}'s checks.
     */
    private static int[] labels(JsonParser jp, String what) throws IOException {
        if (jp.currentToken() != JsonToken.START_ARRAY)
            throw new BadInputException(what + " must be an array of class labels (integers >= 0), one per component, got " + token(jp));
        int[] a = new int[8];
        int n = 0;
        for (JsonToken t; (t = jp.nextToken()) != JsonToken.END_ARRAY; n++) {
            if (t != JsonToken.VALUE_NUMBER_INT || jp.getNumberType() != JsonParser.NumberType.INT || jp.getIntValue() < 0)
                throw new BadInputException(what + "[" + n + "] must be an integer >= 0 (a class label), got " + token(jp));
            if (n >= MAX_MIXTURE_ENTRIES)
                throw new BadInputException(what + " has more than " + MAX_MIXTURE_ENTRIES + " labels; it holds one per component");
            if (n == a.length) a = Arrays.copyOf(a, (int) Math.min(2L * n, Integer.MAX_VALUE - 8));
            a[n] = jp.getIntValue();
        }
        return Arrays.copyOf(a, n);
    }

    /** "means": an array of arrays of numbers, at most {@link #MAX_MIXTURE_DIM} each and {@link #MAX_MIXTURE_ENTRIES} in all. */
    private static double[][] means(JsonParser jp, String where) throws IOException {
        if (jp.currentToken() != JsonToken.START_ARRAY)
            throw new BadInputException(where + "field \"means\" must be an array of arrays of numbers, got " + token(jp));
        List<double[]> rows = new ArrayList<>();
        long total = 0;
        while (jp.nextToken() != JsonToken.END_ARRAY) {
            String what = where + "field \"means\"[" + rows.size() + "]";
            double[] row = numbers(jp, what, Math.min(MAX_MIXTURE_DIM, MAX_MIXTURE_ENTRIES - total));
            total += row.length;
            rows.add(row);
            if (rows.size() > MAX_MIXTURE_ENTRIES)
                throw new BadInputException(where + "field \"means\" has more than " + MAX_MIXTURE_ENTRIES + " components");
        }
        return rows.toArray(new double[0][]);
    }

    /** An array of at most max JSON numbers; the parser is on its first token. */
    private static double[] numbers(JsonParser jp, String what, long max) throws IOException {
        if (jp.currentToken() != JsonToken.START_ARRAY) throw new BadInputException(what + " must be an array of numbers, got " + token(jp));
        double[] a = new double[8];
        int n = 0;
        for (JsonToken t; (t = jp.nextToken()) != JsonToken.END_ARRAY; n++) {
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT)
                throw new BadInputException(what + "[" + n + "] must be a number, got " + token(jp));
            if (n >= max)
                throw new BadInputException(what + " has more than " + max + " numbers; a mixture may have dimension at most " + MAX_MIXTURE_DIM
                        + " and " + MAX_MIXTURE_ENTRIES + " mean coordinates in all");
            if (n == a.length) a = Arrays.copyOf(a, (int) Math.min(2L * n, Integer.MAX_VALUE - 8));
            a[n] = jp.getDoubleValue();
        }
        return Arrays.copyOf(a, n);
    }

    private static String token(JsonParser jp) throws IOException {
        JsonToken t = jp.currentToken();
        if (t == null) return "the end of the file";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string " + Quote.of(jp.getText());
            default -> Quote.of(jp.getText());
        };
    }
}
