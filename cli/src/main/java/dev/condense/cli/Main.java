// Entry point of the condense command line: the subcommands, and one clear line per error.
package dev.condense.cli;

import dev.condense.compress.FormatException;
import dev.condense.data.DatasetException;
import dev.condense.io.TensorFileException;
import dev.condense.ir.ModelLoadException;
import dev.condense.runtime.SessionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;

/** {@code condense}: import, compress and run convolutional networks. */
@Command(name = "condense",
        mixinStandardHelpOptions = true,
        version = "condense 0.1.0",
        description = "Shrink convolutional networks (Deep Compression, int8) and run them from Java.",
        subcommands = {DemoCommand.class, InspectCommand.class, ConvertCommand.class, CompressCommand.class,
                DecompressCommand.class, ZooCommand.class, DatasetCommand.class, TensorCommand.class, RunCommand.class,
                BenchCommand.class, TrainCommand.class, EvalCommand.class, SensitivityCommand.class, QuantizeCommand.class,
                SweepCommand.class, ReportCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'condense COMMAND --help' for a command's options and an example."})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** One line per log record on standard error, e.g. the warning a backend fallback gives. */
    static final String LOG_FORMAT = "condense: %4$s: %5$s%6$s%n";

    public static void main(String[] args) {
        // Before anything logs: the JDK's default record takes two lines and leads with a timestamp.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", LOG_FORMAT);
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns the exit code (for tests and embedding). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(Main::handle);
        try {
            return cl.execute(args);
        } finally {
            // print() does not flush an autoflushing writer; a table printed last would be lost at exit.
            out.flush();
            err.flush();
        }
    }

    /**
     * Expected failures (bad files, bad options, a backend that cannot start or run) print one line
     * naming what is wrong; bugs keep their trace. An IllegalArgumentException counts as a bug here:
     * the commands turn those that are the user's (inputs a model refuses) into UserExceptions.
     */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof ModelLoadException || e instanceof DatasetException || e instanceof TensorFileException
                || e instanceof IOException || e instanceof UserException || e instanceof SessionException
                || e instanceof FormatException || e instanceof dev.condense.train.TrainingException
                || e instanceof dev.condense.quantize.int8.QuantizationException) {
            err.println(cl.getCommandSpec().qualifiedName() + ": " + message(e));
            if (Boolean.getBoolean("condense.debug")) {
                e.printStackTrace(err);
            }
            return 1;
        }
        err.println(cl.getCommandSpec().qualifiedName() + ": internal error: " + e);
        e.printStackTrace(err);
        return 70;
    }

    private static String message(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "no such file: " + n.getFile();
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
