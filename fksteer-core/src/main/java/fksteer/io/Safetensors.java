package fksteer.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each
 * tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the data section),
 * an optional "__metadata__" map of strings to strings, then the raw little-endian tensor bytes.
 *
 * <p>Reading follows the format exactly and checks everything before allocating anything sized by
 * the file: the header is at most 100,000,000 bytes of valid UTF-8 JSON that begins with '{' and may
 * be padded with spaces only; names are unique (duplicate keys anywhere are an error); each entry has
 * exactly dtype, shape and data_offsets; shapes and offsets are JSON integers >= 0; the byte count
 * shape x dtype size, computed in long with overflow checks, equals end - begin; and the ranges tile
 * the data section exactly, with no overlap, hole or trailing byte. F32, F64, F16 and BF16 are
 * converted to float; the format's other (integer, 8-bit and smaller) dtypes are refused, as is any
 * unknown dtype. Every message names the file and, where there is one, the tensor.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Parses headers: duplicate keys, which the format forbids, are errors rather than "last one wins". */
    private static final JsonFactory STRICT = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** The format's limit on the header length, as in the reference implementation. */
    public static final long MAX_HEADER = 100_000_000L;
    /**
     * The largest data section this reader loads: 1 GiB, which is 2^28 float32 parameters. A flow MLP
     * keeps two float copies of its weights, so even this is 2 GiB of heap; larger files are refused
     * at once, from their size, instead of running out of memory.
     */
    public static final long MAX_DATA = 1L << 30;
    /** The most elements all tensors together may hold once converted to float (1 GiB of floats). */
    public static final long MAX_ELEMENTS = 1L << 28;

    private Safetensors() {}

    /** A float tensor with its shape. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long s : shape) {
                if (s < 0) throw new IllegalArgumentException("negative dimension");
                n = Math.multiplyExact(n, s);
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
        // streamed in 64 KiB pieces: the file's size needs no array of its own (and may pass 2 GiB)
        AtomicFiles.write(path, out -> {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(hp.length);
            out.write(buf.array(), 0, buf.position());
            out.write(hp);
            buf.clear();
            for (Tensor t : tensors.values())
                for (float f : t.data()) {
                    if (!buf.hasRemaining()) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(f);
                }
            out.write(buf.array(), 0, buf.position());
        });
    }

    /**
     * Reads a safetensors file, checking it against the format before allocating anything sized by it:
     * the file must be a regular file (a FIFO or device is refused without being opened), the header
     * length must fit the file and the format's limit, and the tensors' ranges must tile the data
     * section. The data is then streamed from the file in 64 KiB pieces, never read whole.
     */
    public static Contents read(Path path) {
        String where = where(path.toString());
        long max = 8 + MAX_HEADER + MAX_DATA;
        InputFiles.regularFileSize(path, where, "a .safetensors file", max);
        // (were the path swapped for a FIFO between that check and this open, the open could block:
        // Java has no O_NONBLOCK open, and the window is the time between two system calls)
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > max) throw new BadInputException(where + "is " + size + " bytes; a .safetensors file may be at most " + max + " bytes");
            return read((pos, dst) -> {
                for (long p = pos; dst.hasRemaining(); ) {
                    int r = ch.read(dst, p);
                    if (r < 0) throw new EOFException();
                    p += r;
                }
            }, size, where);
        } catch (NoSuchFileException e) {
            throw new BadInputException(where + "file not found");
        } catch (IOException e) {
            throw new BadInputException(where + "cannot read it: " + Quote.of(String.valueOf(e.getMessage())));
        }
    }

    /** Parses a safetensors file held in memory (the built-in model); name is used in messages. */
    public static Contents parse(byte[] bytes, String name) {
        try {
            return read((pos, dst) -> {
                if (pos + dst.remaining() > bytes.length) throw new EOFException();
                dst.put(bytes, (int) pos, dst.remaining());
            }, bytes.length, where(name));
        } catch (IOException e) {
            throw new BadInputException(where(name) + "cannot read it: " + Quote.of(String.valueOf(e.getMessage())));
        }
    }

    private static String where(String name) {
        return "safetensors file " + Quote.of(name, 0, 300) + ": ";
    }

    /** Positional reads of a whole file: fills dst from byte pos on, or throws EOFException. */
    private interface Source {
        void read(long pos, ByteBuffer dst) throws IOException;
    }

    /** The dtypes this reader converts to float, with their sizes in bytes. */
    private enum Dtype {
        F32(4), F64(8), F16(2), BF16(2);

        final int size;

        Dtype(int size) {
            this.size = size;
        }
    }

    /** The format's other dtypes: known, but not floating-point types a model can use here. */
    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64",
            "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4");

    /** One header entry, checked: begin + count * dtype.size == end. */
    private record Entry(String name, Dtype dtype, long[] shape, long begin, long end, long count) {}

    private static Contents read(Source src, long fileSize, String where) throws IOException {
        if (fileSize < 8)
            throw new BadInputException(where + "truncated: " + fileSize + " bytes, but the header length alone takes 8");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(src, 0, lenBuf, where, "the header length");
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER)
            throw new BadInputException(where + "header length " + Long.toUnsignedString(n) + " exceeds the format's limit of "
                    + MAX_HEADER + " bytes (not a safetensors file, or corrupt)");
        if (n < 2) throw new BadInputException(where + "header length " + n + " cannot hold a JSON object");
        if (n > fileSize - 8)
            throw new BadInputException(where + "header length " + n + ", but only " + (fileSize - 8) + " bytes follow (truncated file?)");
        long dataLen = fileSize - 8 - n;
        if (dataLen > MAX_DATA)
            throw new BadInputException(where + "the data section is " + dataLen + " bytes; this reader loads at most " + MAX_DATA);
        byte[] h = new byte[(int) n];
        readFully(src, 8, ByteBuffer.wrap(h), where, "the header");
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = parseHeader(h, where, metadata);

        // The ranges must tile [0, dataLen) exactly: sorted by offset, each starts where the last ended.
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0, elements = 0;
        Entry prev = null;
        for (Entry e : entries) {
            String tn = where + "tensor " + Quote.of(e.name()) + ": ";
            if (e.begin() < at)
                throw new BadInputException(tn + "data_offsets [" + e.begin() + ", " + e.end() + "] overlap tensor "
                        + Quote.of(prev.name()) + ", which ends at byte " + at);
            if (e.begin() > at)
                throw new BadInputException(tn + "data_offsets [" + e.begin() + ", " + e.end() + "] leave a hole: the "
                        + (prev == null ? "data section starts at byte 0" : "previous tensor " + Quote.of(prev.name()) + " ends at byte " + at)
                        + "; tensors must cover the data section contiguously");
            if (e.end() > dataLen)
                throw new BadInputException(tn + "data_offsets [" + e.begin() + ", " + e.end() + "] run past the end of the "
                        + dataLen + "-byte data section (truncated file?)");
            at = e.end();
            elements += e.count(); // cannot overflow: each count <= dataLen <= MAX_DATA
            prev = e;
        }
        if (at < dataLen)
            throw new BadInputException(where + (dataLen - at) + " bytes follow the last tensor's data"
                    + (prev == null ? "" : " (tensor " + Quote.of(prev.name()) + " ends at byte " + at + " of " + dataLen + ")")
                    + "; the format allows no trailing bytes");
        if (elements > MAX_ELEMENTS)
            throw new BadInputException(where + "the tensors hold " + elements + " elements; this reader loads at most " + MAX_ELEMENTS);

        // Only now, with every size checked against the file, allocate and stream the data in.
        Map<String, Tensor> out = new LinkedHashMap<>();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(8, dataLen))).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : entries) {
            float[] data = new float[(int) e.count()];
            int size = e.dtype().size, i = 0;
            long pos = 8 + n + e.begin();
            for (long left = e.end() - e.begin(); left > 0; ) {
                int len = (int) Math.min(left, buf.capacity()); // the capacity is a multiple of every dtype size
                buf.clear().limit(len);
                readFully(src, pos, buf, where, "tensor " + Quote.of(e.name()));
                for (int p = 0; p < len; p += size, i++) {
                    data[i] = switch (e.dtype()) {
                        case F32 -> buf.getFloat(p);
                        case F64 -> (float) buf.getDouble(p);
                        case F16 -> Float.float16ToFloat(buf.getShort(p));
                        case BF16 -> Float.intBitsToFloat((buf.getShort(p) & 0xFFFF) << 16);
                    };
                }
                pos += len;
                left -= len;
            }
            out.put(e.name(), new Tensor(e.shape(), data));
        }
        return new Contents(out, metadata);
    }

    private static final int CHUNK = 1 << 16;

    private static void readFully(Source src, long pos, ByteBuffer dst, String where, String what) throws IOException {
        try {
            src.read(pos, dst);
        } catch (EOFException e) {
            throw new BadInputException(where + "the file ended while reading " + what + " (truncated, or changed while being read)");
        }
    }

    /** Parses the header: a JSON object of tensor entries and an optional "__metadata__" map of strings. */
    private static List<Entry> parseHeader(byte[] h, String where, Map<String, String> metadata) {
        CharBuffer chars = CharBuffer.allocate(h.length);
        ByteBuffer in = ByteBuffer.wrap(h);
        CoderResult cr = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, chars, true);
        if (cr.isError()) throw new BadInputException(where + "the header is not valid UTF-8 (at header byte " + in.position() + ")");
        String text = chars.flip().toString();
        if (text.charAt(0) != '{') throw new BadInputException(where + "the header must begin with '{', got " + Quote.of(text, 0, 20));
        List<Entry> entries = new ArrayList<>();
        String tensor = null;
        try (JsonParser jp = STRICT.createParser(text)) {
            jp.nextToken(); // '{'
            while (jp.nextToken() == JsonToken.FIELD_NAME) {
                String name = jp.currentName();
                if (name.equals("__metadata__")) {
                    tensor = null;
                    if (jp.nextToken() != JsonToken.START_OBJECT)
                        throw new BadInputException(where + "\"__metadata__\" must be an object of strings, got " + tokenText(jp));
                    while (jp.nextToken() == JsonToken.FIELD_NAME) {
                        String k = jp.currentName();
                        if (jp.nextToken() != JsonToken.VALUE_STRING)
                            throw new BadInputException(where + "\"__metadata__\" entry " + Quote.of(k) + " must be a string, got " + tokenText(jp));
                        metadata.put(k, jp.getText());
                    }
                } else {
                    tensor = name;
                    entries.add(entry(jp, name, where + "tensor " + Quote.of(name) + ": "));
                }
            }
            // the object has ended: the rest of the header may only be space padding
            int end = Math.toIntExact(jp.currentTokenLocation().getCharOffset() + 1);
            for (int i = end; i < text.length(); i++)
                if (text.charAt(i) != ' ')
                    throw new BadInputException(where + "the header has " + Quote.of(text, i, 20) + " after its JSON object; the format allows only space padding");
        } catch (JsonProcessingException e) {
            throw new BadInputException(where + "the header is not valid JSON" + (tensor == null ? "" : " (in tensor " + Quote.of(tensor) + ")")
                    + ": " + Quote.of(String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("")) + " at header character "
                    + e.getLocation().getCharOffset());
        } catch (IOException e) {
            throw new BadInputException(where + "cannot parse the header: " + Quote.of(String.valueOf(e.getMessage())));
        }
        return entries;
    }

    /** One tensor's {"dtype", "shape", "data_offsets"}; the parser is on the entry's field name. */
    private static Entry entry(JsonParser jp, String name, String tn) throws IOException {
        if (jp.nextToken() != JsonToken.START_OBJECT)
            throw new BadInputException(tn + "must be an object with \"dtype\", \"shape\" and \"data_offsets\", got " + tokenText(jp));
        String dtype = null;
        long[] shape = null, offsets = null;
        while (jp.nextToken() == JsonToken.FIELD_NAME) {
            String f = jp.currentName();
            jp.nextToken();
            switch (f) {
                case "dtype" -> {
                    if (jp.currentToken() != JsonToken.VALUE_STRING) throw new BadInputException(tn + "\"dtype\" must be a string, got " + tokenText(jp));
                    dtype = jp.getText();
                }
                case "shape" -> shape = integers(jp, tn + "\"shape\"");
                case "data_offsets" -> {
                    offsets = integers(jp, tn + "\"data_offsets\"");
                    if (offsets.length != 2)
                        throw new BadInputException(tn + "\"data_offsets\" must be [begin, end], got " + offsets.length + " numbers");
                }
                default -> throw new BadInputException(tn + "unknown field " + Quote.of(f) + "; a tensor has only \"dtype\", \"shape\" and \"data_offsets\"");
            }
        }
        if (dtype == null || shape == null || offsets == null)
            throw new BadInputException(tn + "is missing " + (dtype == null ? "\"dtype\"" : shape == null ? "\"shape\"" : "\"data_offsets\""));
        Dtype dt;
        try {
            dt = Dtype.valueOf(dtype);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(tn + (OTHER_DTYPES.contains(dtype) ? "dtype " + dtype + " is not a floating-point type a model can use"
                    : "unknown dtype " + Quote.of(dtype)) + "; supported: F32, F64, F16, BF16");
        }
        long count = 1, bytes;
        try {
            for (long s : shape) count = Math.multiplyExact(count, s);
            bytes = Math.multiplyExact(count, dt.size);
        } catch (ArithmeticException e) {
            throw new BadInputException(tn + "shape " + shapeText(shape) + " of " + dtype + " has more bytes than a file can hold");
        }
        long b = offsets[0], en = offsets[1];
        if (en < b) throw new BadInputException(tn + "data_offsets [" + b + ", " + en + "] end before they begin");
        if (en - b != bytes)
            throw new BadInputException(tn + "data_offsets [" + b + ", " + en + "] hold " + (en - b) + " bytes, but shape " + shapeText(shape)
                    + " of " + dtype + " needs " + bytes);
        return new Entry(name, dt, shape, b, en, count);
    }

    /** A JSON array of non-negative integers (JSON integers only: 64.5, 64.0, "64" and -1 are refused). */
    private static long[] integers(JsonParser jp, String what) throws IOException {
        if (jp.currentToken() != JsonToken.START_ARRAY) throw new BadInputException(what + " must be an array of integers, got " + tokenText(jp));
        long[] a = new long[4];
        int n = 0;
        for (JsonToken t; (t = jp.nextToken()) != JsonToken.END_ARRAY; ) {
            if (t != JsonToken.VALUE_NUMBER_INT)
                throw new BadInputException(what + "[" + n + "] must be a non-negative integer, got " + tokenText(jp));
            if (jp.getNumberType() == JsonParser.NumberType.BIG_INTEGER || jp.getLongValue() < 0)
                throw new BadInputException(what + "[" + n + "] must be an integer in [0, " + Long.MAX_VALUE + "], got " + Quote.of(jp.getText()));
            if (n == a.length) a = Arrays.copyOf(a, 2 * n);
            a[n++] = jp.getLongValue();
        }
        return Arrays.copyOf(a, n);
    }

    private static String tokenText(JsonParser jp) throws IOException {
        JsonToken t = jp.currentToken();
        if (t == null) return "the end of the header";
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string " + Quote.of(jp.getText());
            default -> Quote.of(jp.getText());
        };
    }

    private static String shapeText(long[] shape) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < Math.min(shape.length, 8); i++) s.append(i == 0 ? "" : ", ").append(shape[i]);
        return s.append(shape.length > 8 ? ", … (" + shape.length + " dimensions)]" : "]").toString();
    }
}
