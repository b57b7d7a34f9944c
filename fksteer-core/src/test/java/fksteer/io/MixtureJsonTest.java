package fksteer.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.model.GaussianMixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MixtureJsonTest {
    @TempDir
    Path dir;

    @Test
    void readsAMixture() throws Exception {
        Path p = dir.resolve("gm.json");
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [1, 3], \"means\": [[0, 0, 1], [1, 2, 3]], \"stds\": [0.5, 1]}");
        GaussianMixture gm = (GaussianMixture) Models.load(p.toString());
        assertEquals(3, gm.dim());
        assertEquals(0.75, gm.weights()[1], 1e-12);
    }

    @Test
    void badFieldsAreNamed() throws Exception {
        Path p = dir.resolve("gm.json");
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [1], \"means\": [[0, 0]], \"stds\": [-1]}");
        BadInputException e = assertThrows(BadInputException.class, () -> Models.load(p.toString()));
        assertTrue(e.getMessage().contains("\"stds\"[0]"), e.getMessage());
        Files.writeString(p, "{\"type\": \"gaussian-mixture\", \"weights\": [1], \"means\": [[0, \"a\"]], \"stds\": [1]}");
        e = assertThrows(BadInputException.class, () -> Models.load(p.toString()));
        assertTrue(e.getMessage().contains("\"means\"[0][1]"), e.getMessage());
        Files.writeString(p, "{\"type\": \"gmm\"}");
        e = assertThrows(BadInputException.class, () -> Models.load(p.toString()));
        assertTrue(e.getMessage().contains("\"type\""), e.getMessage());
    }
}
