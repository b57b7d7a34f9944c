package fksteer.spark;

import fksteer.cli.Main;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * {@code fksteer batch}: the entry point the launcher and spark-submit call
 * ({@code spark-submit --class fksteer.spark.BatchMain fksteer-spark.jar --jobs ... --out ...}).
 * Bad input: one line on stderr and exit code 2, as every fksteer command.
 */
public final class BatchMain {
    private BatchMain() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new BatchCommand());
        cl.setCommandName("fksteer batch");
        return Main.execute(cl, args, out, err);
    }
}
