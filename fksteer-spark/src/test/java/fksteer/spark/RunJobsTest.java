package fksteer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A job's "device": "cuda" runs on the GPU Spark gave its task; anything else is the job's own choice. */
class RunJobsTest {
    @Test
    void cudaWithoutAnIndexIsTheTasksGpu() {
        assertEquals("cuda:1", RunJobs.taskDevice("cuda", new String[] {"1", "2"}));
        assertEquals("cuda:3", RunJobs.taskDevice("CUDA", new String[] {"3"}));
        assertEquals("cuda:0", RunJobs.taskDevice("cuda:0", new String[] {"1"}), "an explicit index is kept");
        assertEquals("cpu", RunJobs.taskDevice("cpu", new String[] {"1"}));
        assertEquals("cuda", RunJobs.taskDevice("cuda", new String[0]), "no GPU given: ONNX Runtime's default, or its one-line error");
        assertEquals("cuda", RunJobs.taskDevice("cuda", new String[] {"gpu-a"}), "an address that is no index is not guessed at");
    }
}
