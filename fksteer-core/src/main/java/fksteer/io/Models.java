package fksteer.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fksteer.model.GaussianMixture;
import fksteer.model.Mlp;
import fksteer.model.MlpFlow;
import fksteer.model.VelocityField;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loading and saving models. A flow MLP is stored as safetensors with PyTorch's names for
 * {@code nn.Sequential(Linear, ELU, Linear, ELU, ..., Linear)}: net.0.weight [out, in], net.0.bias,
 * net.2.weight, ... so a state_dict exported from the reference's {@code Flow} module loads as is.
 */
public final class Models {
    /** Name of the pretrained model shipped in the jar. */
    public static final String CHECKERBOARD = "checkerboard";
    private static final String RESOURCE = "/models/checkerboard.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Models() {}

    /** Resolves --model: "checkerboard", a .safetensors flow MLP or a .json Gaussian mixture. */
    public static VelocityField load(String spec) {
        if (spec == null || spec.isBlank()) throw new InvalidSettingException("model", "is required: checkerboard, FILE.safetensors or FILE.json");
        if (spec.equals(CHECKERBOARD)) return new MlpFlow(checkerboardMlp());
        Path p = Path.of(spec);
        String lower = spec.toLowerCase();
        if (lower.endsWith(".json")) return loadMixture(p);
        if (lower.endsWith(".safetensors")) return new MlpFlow(loadMlp(p));
        throw new InvalidSettingException("model", "must be 'checkerboard', a .safetensors file or a .json file; got '" + spec + "'");
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

    /** Builds the MLP from net.{2l}.weight / net.{2l}.bias tensors, checking names and shapes. */
    public static Mlp toMlp(Safetensors.Contents c, String name) {
        String where = "safetensors file " + name + ": ";
        TreeMap<Integer, Safetensors.Tensor> ws = new TreeMap<>(), bs = new TreeMap<>();
        for (var e : c.tensors().entrySet()) {
            String k = e.getKey();
            String key = k.startsWith("net.") ? k : k.replaceFirst("^.*?\\.(net\\.)", "$1"); // tolerate a module prefix
            var m = java.util.regex.Pattern.compile("net\\.(\\d+)\\.(weight|bias)").matcher(key);
            if (!m.matches()) throw new BadInputException(where + "unexpected tensor '" + k + "'; expected net.<i>.weight and net.<i>.bias");
            (m.group(2).equals("weight") ? ws : bs).put(Integer.parseInt(m.group(1)), e.getValue());
        }
        if (ws.isEmpty()) throw new BadInputException(where + "no net.<i>.weight tensors");
        if (!ws.keySet().equals(bs.keySet())) throw new BadInputException(where + "every net.<i>.weight needs a matching net.<i>.bias");
        List<Integer> idx = new ArrayList<>(ws.keySet());
        for (int l = 0; l < idx.size(); l++)
            if (idx.get(l) != 2 * l)
                throw new BadInputException(where + "layers must be net.0, net.2, net.4, ... (Linear/ELU pairs); found net." + idx.get(l));
        int layers = idx.size();
        int[] sizes = new int[layers + 1];
        float[][] w = new float[layers][], b = new float[layers][];
        for (int l = 0; l < layers; l++) {
            var wt = ws.get(2 * l);
            var bt = bs.get(2 * l);
            if (wt.shape().length != 2) throw new BadInputException(where + "net." + 2 * l + ".weight must be 2-D [out, in]");
            int out = (int) wt.shape()[0], in = (int) wt.shape()[1];
            if (l == 0) sizes[0] = in;
            else if (in != sizes[l])
                throw new BadInputException(where + "net." + 2 * l + ".weight has " + in + " inputs but the previous layer has " + sizes[l] + " outputs");
            if (bt.shape().length != 1 || bt.shape()[0] != out)
                throw new BadInputException(where + "net." + 2 * l + ".bias must have shape [" + out + "]");
            sizes[l + 1] = out;
            w[l] = wt.data();
            b[l] = bt.data();
        }
        if (sizes[0] != sizes[layers] + 1)
            throw new BadInputException(where + "a flow model maps [t, x] to v, so inputs must be outputs + 1; got " + sizes[0] + " -> " + sizes[layers]);
        for (float[] a : w) for (float v : a) if (!Float.isFinite(v)) throw new BadInputException(where + "weights contain NaN or Inf");
        for (float[] a : b) for (float v : a) if (!Float.isFinite(v)) throw new BadInputException(where + "biases contain NaN or Inf");
        return Mlp.fromTorch(sizes, w, b);
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

    /** Reads {"type": "gaussian-mixture", "weights": [...], "means": [[...], ...], "stds": [...]}. */
    public static GaussianMixture loadMixture(Path p) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(p));
        } catch (NoSuchFileException e) {
            throw new InvalidSettingException("model", ": file not found: " + p);
        } catch (IOException e) {
            throw new InvalidSettingException("model", p + ": not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        return parseMixture(root, p.toString());
    }

    public static GaussianMixture parseMixture(JsonNode root, String name) {
        String where = "gaussian-mixture file " + name + ": ";
        if (root == null || !root.isObject()) throw new BadInputException(where + "expected a JSON object");
        if (!"gaussian-mixture".equals(root.path("type").asText()))
            throw new BadInputException(where + "field \"type\" must be \"gaussian-mixture\"");
        double[] w = doubles(root.path("weights"), where + "field \"weights\"");
        double[] s = doubles(root.path("stds"), where + "field \"stds\"");
        JsonNode mn = root.path("means");
        if (!mn.isArray()) throw new BadInputException(where + "field \"means\" must be an array of arrays of numbers");
        double[][] means = new double[mn.size()][];
        for (int i = 0; i < means.length; i++) means[i] = doubles(mn.get(i), where + "field \"means\"[" + i + "]");
        try {
            return new GaussianMixture(w, means, s);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + e.getMessage());
        }
    }

    private static double[] doubles(JsonNode n, String what) {
        if (!n.isArray()) throw new BadInputException(what + " must be an array of numbers");
        double[] a = new double[n.size()];
        for (int i = 0; i < a.length; i++) {
            if (!n.get(i).isNumber()) throw new BadInputException(what + "[" + i + "] must be a number");
            a[i] = n.get(i).asDouble();
        }
        return a;
    }
}
