package fksteer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.InvalidSettingException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training that diverges stops at once, naming the learning rate (issue 9, found 11). */
class TrainingDivergenceTest {

    @Test
    void trainingStopsAtFirstNonFiniteLoss() {
        FlowMatchingTrainer tr = new FlowMatchingTrainer(new TrainConfig("checkerboard", 10_000, 256, 1e6, 64, 3, 0, false));
        List<Double> seen = new ArrayList<>();
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> tr.train((s, total, loss) -> seen.add(loss)));
        assertEquals("lr", e.setting());
        assertTrue(seen.size() < 100, "stopped early, after " + seen.size() + " steps");
        for (double l : seen) assertTrue(Double.isFinite(l), "only finite losses reach the listener: " + seen);
        assertTrue(e.problem().contains("at step " + (seen.size() + 1) + " of 10000"), e.problem());
        assertTrue(e.problem().contains("lower it"), e.problem());
        assertTrue(e.problem().startsWith("1000000.0 made training diverge"), e.problem());
        // the failing step did not touch the model: it holds the last finite update
        for (float[] p : tr.model().parametersInPlace())
            for (float v : p) assertTrue(Float.isFinite(v));
    }

    @Test
    void aSaneLearningRateTrainsWithoutComplaint() {
        FlowMatchingTrainer tr = new FlowMatchingTrainer(new TrainConfig("checkerboard", 200, 256, 1e-2, 32, 2, 0, false));
        List<Double> seen = new ArrayList<>();
        tr.train((s, total, loss) -> seen.add(loss));
        assertEquals(200, seen.size());
        double first = seen.get(0), last = seen.get(199);
        assertTrue(Double.isFinite(last) && last < 0.9 * first, "loss " + first + " -> " + last);
    }
}
