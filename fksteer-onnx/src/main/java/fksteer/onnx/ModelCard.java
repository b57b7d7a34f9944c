package fksteer.onnx;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import fksteer.io.BadInputException;
import fksteer.io.InputFiles;
import fksteer.io.InvalidSettingException;
import fksteer.io.Models;
import fksteer.io.Quote;
import fksteer.process.Prediction;
import fksteer.process.ProcessSpec;
import fksteer.process.Shape;
import fksteer.text.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A model card: the JSON file beside an ONNX network that says how to run it (docs/bring-your-pytorch-model.md).
 * <pre>
 * {"type": "onnx", "file": "unet.onnx", "prediction": "epsilon",
 *  "process": {"kind": "vp", "schedule": "linear"},
 *  "shape": [1, 28, 28],
 *  "inputs": {"sample": "x", "time": "t", "condition": "y"},
 *  "timeFormat": "index", "timeScale": 1.0,
 *  "condition": {"type": "class", "classes": 10, "null": 10},
 *  "dataRange": [-1, 1],
 *  "decoder": "vae.onnx"}
 * </pre>
 * Paths ("file", "decoder") are relative to the card's folder (the real card's, when the card is a link). "process" is read exactly as a mixture
 * file's. The network is fed {@code time × timeScale}, where time is the training step (timeFormat
 * "index", vp processes) or the flow's own t, or σ for noise at 1 (timeFormat "continuous", flows).
 * "condition" and "inputs"."condition" come together or not at all; "null" is the class id that asks
 * for the unconditional output (classifier-free guidance needs it). "dataRange" is the nominal range
 * of data-space samples, for plots; samples reach rewards unchanged. Every field is checked when the
 * card is read, and any other field is an error: a field from a newer format that this reader ignored
 * would run a different model without a word.
 *
 * @param card           the card's own path
 * @param file           the network's ONNX file, resolved against the card's folder
 * @param prediction     what the network predicts
 * @param process        the process it was trained for
 * @param shape          one sample's shape (without the batch)
 * @param sampleInput    the ONNX input that takes the noisy samples
 * @param timeInput      the ONNX input that takes the time
 * @param conditionInput the ONNX input that takes the class, or null for an unconditional model
 * @param timeScale      what the time is multiplied by before it is fed
 * @param classes        the number of classes (0 for an unconditional model)
 * @param nullClass      the unconditional class id, or -1 when the model has none
 * @param dataLow        the low end of the data range
 * @param dataHigh       the high end of the data range
 * @param decoder        an ONNX decoder run before rewards (latents to pixels), resolved; or null
 * @param vocab          a masked (token) model's vocabulary, or null for a model of points
 * @param referenceTexts a masked model's reference texts (one per line; the perplexity reward's n-gram model is fitted on
 *                       them), resolved; or null
 *
 * <p>A masked diffusion model's card (text) has its own fields:
 * <pre>
 * {"type": "onnx", "file": "fortunes.onnx",
 *  "process": {"kind": "masked", "schedule": "log-linear", "eps": 0.001},
 *  "shape": [128],
 *  "inputs": {"tokens": "tokens"},
 *  "vocab": {"tokens": [" ", "!", ..., "&lt;pad&gt;", "&lt;mask&gt;"], "pad": 95, "mask": 96},
 *  "referenceTexts": "../../data/text/heldout-ngram.txt"}
 * </pre>
 * The network takes int64 token ids [batch, L] and gives raw logits [batch, L, V]; with "inputs"."time"
 * it also takes the masking time t in [0, 1] as float32 (and its output is then never cached). Then
 * prediction is null, sampleInput names the tokens input, timeFormat is continuous, timeScale 1 and
 * dataRange [0, V - 1].
 */
public record ModelCard(Path card, Path file, Prediction prediction, ProcessSpec process, Shape shape, String sampleInput,
        String timeInput, String conditionInput, TimeFormat timeFormat, double timeScale, int classes, int nullClass,
        double dataLow, double dataHigh, Path decoder, Vocabulary vocab, Path referenceTexts) {

    /** How the time the network sees is given: the training step of a vp process, or a flow's continuous t (σ). */
    public enum TimeFormat {
        INDEX("index"), CONTINUOUS("continuous");

        public final String id;

        TimeFormat(String id) {
            this.id = id;
        }
    }

    /** The largest card read: 1 MiB. */
    public static final long MAX_CARD_BYTES = 1L << 20;
    /** The most entries of one sample: 2^24 floats (64 MiB a sample). */
    public static final int MAX_SAMPLE_SIZE = 1 << 24;
    /** The most dimensions of a sample's shape. */
    public static final int MAX_RANK = 8;
    /** The most classes of a class condition. */
    public static final int MAX_CLASSES = 1 << 20;
    /** The range of timeScale. */
    public static final double MIN_TIME_SCALE = 1e-6, MAX_TIME_SCALE = 1e6;

    static final List<String> FIELDS = List.of("type", "file", "prediction", "process", "shape", "inputs", "timeFormat", "timeScale",
            "condition", "dataRange", "decoder", "vocab", "referenceTexts");
    /** The fields of a masked (token) model's card. */
    static final List<String> MASKED_FIELDS = List.of("type", "file", "process", "shape", "inputs", "vocab", "referenceTexts");
    static final List<String> MASKED_INPUT_FIELDS = List.of("tokens", "time");
    static final List<String> VOCAB_FIELDS = List.of("tokens", "mask", "pad");
    static final List<String> INPUT_FIELDS = List.of("sample", "time", "condition");
    static final List<String> CONDITION_FIELDS = List.of("type", "classes", "null");

    private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    public ModelCard {
        InvalidSettingException.require(card != null && file != null, "model", "a model card needs its path and its network's file");
        InvalidSettingException.require(shape != null && process != null, "model", "a model card needs shape and process");
        process.requirePrediction(prediction);
        InvalidSettingException.require(masked(process) == (vocab != null), "model", "a masked model's card, and only one, has a vocabulary");
        InvalidSettingException.require(referenceTexts == null || vocab != null, "model", "referenceTexts belong to a masked model's card");
        InvalidSettingException.require((conditionInput == null) == (classes == 0), "model",
                "a model card gives \"inputs\".\"condition\" and \"condition\" together or not at all");
    }

    /** A masked model's card, for which the 15-field form is not that of a model of points. */
    private static boolean masked(ProcessSpec p) {
        return p instanceof ProcessSpec.Masked;
    }

    /** Whether the model is masked diffusion over tokens (text). */
    public boolean masked() {
        return vocab != null;
    }

    /** The number of entries of one sample. */
    public int size() {
        return shape.size();
    }

    /** Whether the model takes a class condition. */
    public boolean conditional() {
        return conditionInput != null;
    }

    /** Reads and checks a card; every problem is one line naming the card and the field (setting "model"). */
    public static ModelCard read(Path card) {
        String where = Quote.of(card.toString(), 0, 300) + ": ";
        try {
            InputFiles.regularFileSize(card, where, "a model card (.json)", MAX_CARD_BYTES);
            JsonNode root;
            try {
                root = readOne(Files.readAllBytes(card), where);
            } catch (JsonProcessingException e) {
                var loc = e.getLocation();
                throw new BadInputException(where + "not valid JSON: " + Quote.of(String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse(""))
                        + (loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr()));
            } catch (IOException e) {
                throw new BadInputException(where + "cannot read it: " + Quote.of(String.valueOf(e.getMessage())));
            }
            return parse(root, card, where);
        } catch (InvalidSettingException e) {
            throw e.setting().equals("model") ? e : new InvalidSettingException("model", ": " + where + "field \"" + e.setting() + "\" " + e.problem());
        } catch (BadInputException e) {
            throw new InvalidSettingException("model", ": " + e.getMessage());
        }
    }

    /**
     * Whether a .json file is a model card rather than, say, a mixture file: a JSON object whose first
     * "type" field is "onnx", read only as far as that field. A card broken further on (cut short, a
     * duplicate key, content after the object) is still a card, so that {@link #read} refuses it with
     * the card's own message rather than a mixture file's. False when it cannot be read that far.
     */
    public static boolean isCard(Path p) {
        try {
            InputFiles.regularFileSize(p, "", "", MAX_CARD_BYTES);
            try (JsonParser jp = new JsonFactory().createParser(Files.readAllBytes(p))) {
                if (jp.nextToken() != JsonToken.START_OBJECT) return false;
                while (jp.nextToken() == JsonToken.FIELD_NAME) {
                    String f = jp.currentName();
                    JsonToken v = jp.nextToken();
                    if (f.equals("type")) return v == JsonToken.VALUE_STRING && jp.getText().equals("onnx");
                    jp.skipChildren();
                }
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The one JSON value in bytes (null when there is none), duplicate keys refused; content after it is
     * one line of its own (Jackson's trailing-token message names its Java classes).
     */
    private static JsonNode readOne(byte[] bytes, String where) throws IOException {
        try (JsonParser jp = STRICT.createParser(bytes)) {
            JsonNode root = STRICT.readTree(jp);
            Models.requireEnd(jp, where, "a model card");
            return root;
        }
    }

    private static ModelCard parse(JsonNode root, Path card, String where) {
        if (root == null || !root.isObject()) throw new BadInputException(where + "expected a JSON object (a model card)");
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw new BadInputException(where + "unknown field " + Quote.of(f) + "; a model card has only " + listed(FIELDS));
        }
        JsonNode type = required(root, "type", where);
        if (!type.isTextual() || !type.asText().equals("onnx"))
            throw new BadInputException(where + "field \"type\" must be \"onnx\", got " + shown(type));
        Path dir = folder(card);
        Path file = path(required(root, "file", where), dir, where + "field \"file\"");
        ProcessSpec proc = Models.parseProcess(required(root, "process", where), where + "field \"process\"");
        if (proc instanceof ProcessSpec.Masked m) return parseMasked(root, card, dir, file, m, where);
        for (String f : List.of("vocab", "referenceTexts"))
            if (root.has(f)) throw new BadInputException(where + "field \"" + f + "\" belongs to a masked model's card; this card's process is " + proc.kind());
        JsonNode pred = required(root, "prediction", where);
        if (!pred.isTextual() || !Models.predictionNames().contains(pred.asText()))
            throw new BadInputException(where + "field \"prediction\" must be one of " + listed(Models.predictionNames()) + ", got " + shown(pred));
        Prediction prediction = Prediction.parse(pred.asText());
        ProcessSpec process = proc;
        try {
            process.requirePrediction(prediction);
        } catch (InvalidSettingException e) {
            throw new BadInputException(where + "field \"prediction\" " + e.problem());
        }
        Shape shape = shape(required(root, "shape", where), where + "field \"shape\"");

        JsonNode inputs = required(root, "inputs", where);
        if (!inputs.isObject()) throw new BadInputException(where + "field \"inputs\" must be an object such as {\"sample\": \"x\", \"time\": \"t\"}, got " + shown(inputs));
        for (Iterator<String> it = inputs.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!INPUT_FIELDS.contains(f))
                throw new BadInputException(where + "field \"inputs\" has unknown field " + Quote.of(f) + "; it names only " + listed(INPUT_FIELDS));
        }
        String sample = name(inputs.get("sample"), where + "field \"inputs\".\"sample\"");
        String time = name(inputs.get("time"), where + "field \"inputs\".\"time\"");
        String cond = inputs.has("condition") ? name(inputs.get("condition"), where + "field \"inputs\".\"condition\"") : null;
        if (sample.equals(time) || sample.equals(cond) || time.equals(cond))
            throw new BadInputException(where + "field \"inputs\" names one ONNX input twice: " + shown(inputs));

        JsonNode tf = required(root, "timeFormat", where);
        TimeFormat format;
        if (tf.isTextual() && tf.asText().equals("index")) format = TimeFormat.INDEX;
        else if (tf.isTextual() && tf.asText().equals("continuous")) format = TimeFormat.CONTINUOUS;
        else throw new BadInputException(where + "field \"timeFormat\" must be \"index\" (vp: the training step) or \"continuous\" (flows: t, or sigma), got " + shown(tf));
        boolean vp = process instanceof ProcessSpec.Vp;
        if (vp && format != TimeFormat.INDEX)
            throw new BadInputException(where + "field \"timeFormat\" is \"continuous\", but a vp network sees its training step: use \"index\" "
                    + "(a model trained on t in [0, 1] takes \"index\" with \"timeScale\": 1 / trainSteps)");
        if (!vp && format != TimeFormat.CONTINUOUS)
            throw new BadInputException(where + "field \"timeFormat\" is \"index\", but a flow network sees its continuous time (t, or sigma for noiseAt 1): use \"continuous\"");
        double scale = 1.0;
        if (root.has("timeScale")) {
            JsonNode ts = root.get("timeScale");
            if (!ts.isNumber() || !(ts.asDouble() >= MIN_TIME_SCALE && ts.asDouble() <= MAX_TIME_SCALE))
                throw new BadInputException(where + "field \"timeScale\" must be a number in [" + MIN_TIME_SCALE + ", " + MAX_TIME_SCALE + "], got " + shown(ts));
            scale = ts.asDouble();
        }

        int classes = 0, nullClass = -1;
        if (root.has("condition")) {
            JsonNode c = root.get("condition");
            String at = where + "field \"condition\"";
            if (!c.isObject()) throw new BadInputException(at + " must be an object such as {\"type\": \"class\", \"classes\": 10, \"null\": 10}, got " + shown(c));
            for (Iterator<String> it = c.fieldNames(); it.hasNext();) {
                String f = it.next();
                if (!CONDITION_FIELDS.contains(f)) throw new BadInputException(at + " has unknown field " + Quote.of(f) + "; it has only " + listed(CONDITION_FIELDS));
            }
            JsonNode ct = c.get("type");
            if (ct == null || !ct.isTextual() || !ct.asText().equals("class"))
                throw new BadInputException(at + ".\"type\" must be \"class\" (the only condition an ONNX model takes today), got " + shown(ct));
            classes = integer(c.get("classes"), at + ".\"classes\"", 1, MAX_CLASSES);
            if (c.has("null")) {
                nullClass = integer(c.get("null"), at + ".\"null\"", 0, Integer.MAX_VALUE);
                if (nullClass < classes)
                    throw new BadInputException(at + ".\"null\" is " + nullClass + ", one of the classes 0.." + (classes - 1)
                            + "; the unconditional id must be a label no class uses (often the number of classes, " + classes + ")");
            }
        }
        if ((cond == null) != (classes == 0))
            throw new BadInputException(where + (cond == null ? "field \"condition\" is given, but \"inputs\" names no \"condition\" input"
                    : "field \"inputs\".\"condition\" is given, but there is no field \"condition\" saying how many classes (and which id is null)"));

        JsonNode range = required(root, "dataRange", where);
        if (!range.isArray() || range.size() != 2 || !range.get(0).isNumber() || !range.get(1).isNumber()
                || !Double.isFinite(range.get(0).asDouble()) || !Double.isFinite(range.get(1).asDouble())
                || !(range.get(0).asDouble() < range.get(1).asDouble()))
            throw new BadInputException(where + "field \"dataRange\" must be [low, high] with finite numbers low < high, got " + shown(range));
        Path decoder = root.has("decoder") ? path(root.get("decoder"), dir, where + "field \"decoder\"") : null;
        return new ModelCard(card, file, prediction, process, shape, sample, time, cond, format, scale, classes, nullClass,
                range.get(0).asDouble(), range.get(1).asDouble(), decoder, null, null);
    }

    /** A masked model's card: tokens in, logits out, a vocabulary; the fields of point models are errors. */
    private static ModelCard parseMasked(JsonNode root, Path card, Path dir, Path file, ProcessSpec.Masked process, String where) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!MASKED_FIELDS.contains(f))
                throw new BadInputException(where + "field " + Quote.of(f) + " is not a field of a masked model's card, which has only " + listed(MASKED_FIELDS));
        }
        Shape shape = shape(required(root, "shape", where), where + "field \"shape\"");
        if (shape.dims().length != 1) throw new BadInputException(where + "field \"shape\" of a masked model is [sequence length], got " + shape);
        JsonNode inputs = required(root, "inputs", where);
        if (!inputs.isObject()) throw new BadInputException(where + "field \"inputs\" must be an object such as {\"tokens\": \"tokens\"}, got " + shown(inputs));
        for (Iterator<String> it = inputs.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!MASKED_INPUT_FIELDS.contains(f))
                throw new BadInputException(where + "field \"inputs\" has unknown field " + Quote.of(f) + "; a masked model's names only " + listed(MASKED_INPUT_FIELDS));
        }
        String tokens = name(inputs.get("tokens"), where + "field \"inputs\".\"tokens\"");
        String time = inputs.has("time") ? name(inputs.get("time"), where + "field \"inputs\".\"time\"") : null;
        if (tokens.equals(time)) throw new BadInputException(where + "field \"inputs\" names one ONNX input twice: " + shown(inputs));
        Vocabulary vocab = vocabulary(required(root, "vocab", where), where + "field \"vocab\"");
        Path refs = root.has("referenceTexts") ? path(root.get("referenceTexts"), dir, where + "field \"referenceTexts\"") : null;
        return new ModelCard(card, file, null, process, shape, tokens, time, null, TimeFormat.CONTINUOUS, 1.0, 0, -1, 0, vocab.size() - 1, null,
                vocab, refs);
    }

    private static Vocabulary vocabulary(JsonNode v, String at) {
        if (!v.isObject()) throw new BadInputException(at + " must be an object {\"tokens\": [...], \"mask\": ID, \"pad\": ID}, got " + shown(v));
        for (Iterator<String> it = v.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!VOCAB_FIELDS.contains(f)) throw new BadInputException(at + " has unknown field " + Quote.of(f) + "; it has only " + listed(VOCAB_FIELDS));
        }
        JsonNode t = v.get("tokens");
        if (t == null || !t.isArray() || t.size() < 2 || t.size() > Vocabulary.MAX_TOKENS)
            throw new BadInputException(at + ".\"tokens\" must be an array of 2 to " + Vocabulary.MAX_TOKENS + " strings, got " + shown(t));
        List<String> list = new ArrayList<>(t.size());
        for (int i = 0; i < t.size(); i++) {
            if (!t.get(i).isTextual()) throw new BadInputException(at + ".\"tokens\"[" + i + "] must be a string, got " + shown(t.get(i)));
            list.add(t.get(i).asText());
        }
        int mask = integer(v.get("mask"), at + ".\"mask\"", 0, list.size() - 1);
        int pad = v.has("pad") ? integer(v.get("pad"), at + ".\"pad\"", 0, list.size() - 1) : -1;
        if (pad == mask) throw new BadInputException(at + ".\"pad\" and \"mask\" are the same id " + pad);
        return new Vocabulary(list, mask, pad);
    }

    /**
     * The folder the card's paths are relative to: the real card's, following links, so a card linked
     * into another folder still finds the network that ships beside it.
     */
    private static Path folder(Path card) {
        try {
            return card.toRealPath().getParent();
        } catch (IOException | SecurityException e) {
            return card.toAbsolutePath().getParent();    // read a moment ago; should it vanish, "file" says what is missing
        }
    }

    private static JsonNode required(JsonNode root, String field, String where) {
        JsonNode n = root.get(field);
        if (n == null) throw new BadInputException(where + "missing field \"" + field + "\"");
        return n;
    }

    private static Path path(JsonNode n, Path dir, String what) {
        if (!n.isTextual() || n.asText().isBlank() || n.asText().indexOf('\0') >= 0)
            throw new BadInputException(what + " must be a file name (relative to the card's folder), got " + shown(n));
        try {
            return dir.resolve(n.asText()).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadInputException(what + " " + Quote.of(n.asText()) + " is not a valid path");
        }
    }

    private static String name(JsonNode n, String what) {
        if (n == null) throw new BadInputException(what + " is missing: name the ONNX input");
        if (!n.isTextual() || n.asText().isEmpty()) throw new BadInputException(what + " must be an ONNX input name (a string), got " + shown(n));
        return n.asText();
    }

    private static int integer(JsonNode n, String what, int lo, int hi) {
        if (n == null) throw new BadInputException(what + " is missing");
        if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < lo || n.asInt() > hi)
            throw new BadInputException(what + " must be an integer in [" + lo + ", " + hi + "], got " + shown(n));
        return n.asInt();
    }

    private static Shape shape(JsonNode n, String what) {
        if (!n.isArray() || n.isEmpty() || n.size() > MAX_RANK)
            throw new BadInputException(what + " must be an array of 1 to " + MAX_RANK + " dimensions such as [2] or [1, 28, 28], got " + shown(n));
        int[] dims = new int[n.size()];
        long size = 1;
        for (int i = 0; i < dims.length; i++) {
            dims[i] = integer(n.get(i), what + "[" + i + "]", 1, MAX_SAMPLE_SIZE);
            size *= dims[i];
            if (size > MAX_SAMPLE_SIZE) throw new BadInputException(what + " " + n + " has more than " + MAX_SAMPLE_SIZE + " entries per sample");
        }
        return Shape.of(dims);
    }

    static String shown(JsonNode n) {
        if (n == null) return "nothing";
        return Quote.of(n.toString(), 0, 80);
    }

    static String listed(List<String> names) {
        List<String> q = new ArrayList<>();
        for (String s : names) q.add("\"" + s + "\"");
        return String.join(", ", q);
    }

    /** The card's fields as a map, for a run's config output. */
    public Map<String, Object> describe() {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("card", card.toString());
        m.put("file", file.toString());
        if (masked()) {
            m.put("process", process.kind());
            m.put("eps", ((ProcessSpec.Masked) process).eps());
            m.put("shape", shape.dims());
            m.put("vocabSize", vocab.size());
            m.put("timeConditioned", timeInput != null);
            if (referenceTexts != null) m.put("referenceTexts", referenceTexts.toString());
            return m;
        }
        m.put("prediction", prediction.id);
        m.put("process", process.kind());
        if (process instanceof fksteer.process.ProcessSpec.Vp vp && vp.clipSample() > 0) m.put("clipSample", vp.clipSample());
        m.put("shape", shape.dims());
        m.put("timeFormat", timeFormat.id);
        m.put("timeScale", timeScale);
        if (conditional()) m.put("classes", classes);
        if (nullClass >= 0) m.put("nullClass", nullClass);
        m.put("dataRange", new double[] {dataLow, dataHigh});
        if (decoder != null) m.put("decoder", decoder.toString());
        return m;
    }
}
