package fksteer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "jmh", mixinStandardHelpOptions = true, description = "Run the JMH kernel benchmarks (arguments go to JMH).",
        footer = {"", "Examples:", "  fksteer jmh DenseBench", "  fksteer jmh SamplingBench -prof gc", "  fksteer jmh -l"})
final class JmhCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", description = "JMH arguments, e.g. a benchmark regex, -prof gc, -l")
    String[] args = new String[0];

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(args);
        return 0;
    }
}
