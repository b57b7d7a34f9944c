package fksteer.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON mapping each
 * tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the data section),
 * an optional "__metadata__" map of strings, then the raw little-endian tensor bytes.
 *
 * <p>Reading accepts F32, F64, F16 and BF16 (converted to float) and checks every offset and size.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** A float tensor with its shape. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long s : shape) {
                if (s < 0) throw new IllegalArgumentException("negative dimension");
                n *= s;
            }
            if (n != data.length) throw new IllegalArgumentException("shape does not match data length");
        }
    }

    /** Tensors in file order plus the string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long off = 0;
        for (var e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var sh = t.putArray("shape");
            for (long s : e.getValue().shape()) sh.add(s);
            long len = 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(off).add(off + len);
            off += len;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int pad = (8 - h.length % 8) % 8; // keep the data section 8-byte aligned, padding with spaces
        byte[] hp = new byte[h.length + pad];
        System.arraycopy(h, 0, hp, 0, h.length);
        for (int i = h.length; i < hp.length; i++) hp[i] = ' ';
        ByteBuffer buf = ByteBuffer.allocate((int) (8 + hp.length + off)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(hp.length).put(hp);
        for (Tensor t : tensors.values()) for (float f : t.data()) buf.putFloat(f);
        AtomicFiles.writeBytes(path, buf.array());
    }

    public static Contents read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new InvalidSettingException("model", ": file not found: " + path);
        } catch (IOException e) {
            throw new InvalidSettingException("model", ": cannot read " + path + ": " + e.getMessage());
        }
        return parse(bytes, path.toString());
    }

    public static Contents parse(byte[] bytes, String name) {
        String where = "safetensors file " + name + ": ";
        if (bytes.length < 8) throw new BadInputException(where + "truncated (" + bytes.length + " bytes, no header length)");
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        if (n <= 0 || n > MAX_HEADER || n > bytes.length - 8)
            throw new BadInputException(where + "corrupt or truncated header (header length " + n + ", file " + bytes.length + " bytes)");
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) n, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new BadInputException(where + "header is not valid JSON");
        }
        if (header == null || !header.isObject()) throw new BadInputException(where + "header is not a JSON object");
        int dataStart = 8 + (int) n;
        long dataLen = bytes.length - dataStart;
        Map<String, String> md = new LinkedHashMap<>();
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals("__metadata__")) {
                e.getValue().fields().forEachRemaining(m -> md.put(m.getKey(), m.getValue().asText()));
            } else entries.add(e);
        }
        entries.sort((a, b) -> Long.compare(a.getValue().path("data_offsets").path(0).asLong(), b.getValue().path("data_offsets").path(0).asLong()));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : entries) {
            JsonNode t = e.getValue();
            String tn = "tensor '" + e.getKey() + "'";
            String dtype = t.path("dtype").asText("");
            int size = switch (dtype) {
                case "F32" -> 4;
                case "F64" -> 8;
                case "F16", "BF16" -> 2;
                default -> throw new BadInputException(where + tn + " has dtype '" + dtype + "'; supported: F32, F64, F16, BF16");
            };
            JsonNode sh = t.path("shape"), offs = t.path("data_offsets");
            if (!sh.isArray() || !offs.isArray() || offs.size() != 2)
                throw new BadInputException(where + tn + " needs \"shape\" and two \"data_offsets\"");
            long[] shape = new long[sh.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = sh.get(i).asLong(-1);
                if (shape[i] < 0) throw new BadInputException(where + tn + " has a negative dimension");
                count *= shape[i];
            }
            long b = offs.get(0).asLong(-1), en = offs.get(1).asLong(-1);
            if (b < 0 || en < b || en > dataLen)
                throw new BadInputException(where + tn + " has data_offsets [" + b + ", " + en + "] outside the " + dataLen
                        + "-byte data section (truncated file?)");
            if (en - b != count * size)
                throw new BadInputException(where + tn + " holds " + (en - b) + " bytes, but shape and dtype need " + count * size);
            float[] data = new float[(int) count];
            int p = dataStart + (int) b;
            for (int i = 0; i < count; i++, p += size) {
                data[i] = switch (dtype) {
                    case "F32" -> buf.getFloat(p);
                    case "F64" -> (float) buf.getDouble(p);
                    case "F16" -> Float.float16ToFloat(buf.getShort(p));
                    default -> Float.intBitsToFloat((buf.getShort(p) & 0xFFFF) << 16);
                };
            }
            out.put(e.getKey(), new Tensor(shape, data));
        }
        return new Contents(out, md);
    }
}
