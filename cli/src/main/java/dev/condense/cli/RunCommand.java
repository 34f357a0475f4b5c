// `condense run`: run a model once on a backend and show the first output's largest values and the time taken.
package dev.condense.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.condense.compress.FormatException;
import dev.condense.io.TensorFileException;
import dev.condense.io.TensorFiles;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run",
        description = {"Run a model once; show its first output's largest values and the time taken.",
                "The input is a tensor file (.pb or .npy) or seeded random noise in the model's input shape"
                        + " (a symbolic batch is 1). Values are shown per batch row; the time is one run's, after"
                        + " opening the session; reading the model (decoding it, for a .dcz) and opening the session"
                        + " are timed apart."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense run resnet50.onnx --input random --backend vector --top 5",
                "  condense run squeezenet.onnx -i input_0.pb -o logits.pb",
                "  condense run alexnet.dcz --input random --backend vector",
                "  condense run model.onnx --input image=x.npy --input mask=m.npy --json",
                "  condense run model.onnx --input random --backend ort-cuda --fallback cpu"})
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "the model to run: ONNX, or a .dcz container (decoded on load)")
    Path modelFile;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "FILE|random|NAME=FILE",
            description = "a .pb or .npy tensor file, or 'random'; NAME=... for each input of a model with several (repeatable)")
    List<String> inputs = new ArrayList<>();

    @Option(names = {"-b", "--backend"}, paramLabel = "BACKEND", defaultValue = "ort-cpu",
            description = "ort-cpu, ort-cuda or vector (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "threads for the run (default: every core)")
    Integer threads;

    @Option(names = "--fallback", paramLabel = "cpu|BACKEND",
            description = "the backend to use, with a warning, when --backend cannot start ('cpu' is ort-cpu)")
    String fallback;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "values shown per row (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.pb",
            description = "write the first output to FILE (.pb: ONNX TensorProto, or .npy)")
    Path output;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "seed of random inputs (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, ModelLoadException, SessionException, TensorFileException, IOException,
            FormatException {
        Backend requested = SessionArgs.backend("--backend", backend);
        Backend fallbackBackend = fallback == null ? null : SessionArgs.backend("--fallback", fallback);
        int threadCount = SessionArgs.threads(threads);
        if (top < 1) {
            throw new UserException("--top must be at least 1, got " + top);
        }
        if (output != null && TensorFiles.EXTENSIONS.stream()
                .noneMatch(ext -> output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(ext))) {
            throw new UserException("cannot tell the format of " + output + " from its name; write a file ending in "
                    + String.join(" or ", TensorFiles.EXTENSIONS));
        }
        long reading = System.nanoTime();
        Model model = ModelFiles.read(modelFile);
        double readMs = (System.nanoTime() - reading) / 1e6;
        long opening = System.nanoTime();
        try (Session session = Session.open(model, SessionArgs.options(requested, threadCount, fallbackBackend))) {
            double openMs = (System.nanoTime() - opening) / 1e6;
            List<Feeds.Feed> feeds = Feeds.fromSpecs(session.inputs(), inputs, seed);
            long start = System.nanoTime();
            Tensor first;
            try (Result result = run(session, Feeds.asMap(feeds))) {
                first = result.first();
            }
            double runMs = (System.nanoTime() - start) / 1e6;
            if (output != null) {
                TensorFiles.write(output, first);
            }
            report(session, requested, threadCount, feeds, first, TopValues.of(first, top), readMs, openMs, runMs);
        }
        return 0;
    }

    /** A run whose inputs the model refuses is the user's mistake, reported in the Session's words. */
    static Result run(Session session, Map<String, Tensor> feeds) throws UserException, SessionException {
        try {
            return session.run(feeds);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage());
        }
    }

    private void report(Session session, Backend requested, int threadCount, List<Feeds.Feed> feeds, Tensor first,
                        List<List<TopValues.Entry>> rows, double readMs, double openMs, double runMs) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", modelFile.toString());
            j.put("backend", session.backend().id());
            j.put("requested_backend", requested.id());
            j.put("description", session.describe());
            j.put("threads", threadCount);
            List<Map<String, Object>> ins = new ArrayList<>();
            for (Feeds.Feed f : feeds) {
                Map<String, Object> in = new LinkedHashMap<>();
                in.put("name", f.name());
                in.put("dtype", f.tensor().dtype().displayName());
                in.put("shape", f.tensor().dims());
                in.put("source", f.source());
                ins.add(in);
            }
            j.put("inputs", ins);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("name", first.name());
            o.put("dtype", first.dtype().displayName());
            o.put("shape", first.dims());
            j.put("output", o);
            List<List<Map<String, Object>>> top = new ArrayList<>();
            for (List<TopValues.Entry> row : rows) {
                List<Map<String, Object>> entries = new ArrayList<>();
                for (TopValues.Entry e : row) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("index", e.index());
                    m.put("value", e.value());
                    if (!Double.isNaN(e.softmax())) {
                        m.put("softmax", e.softmax());
                    }
                    entries.add(m);
                }
                top.add(entries);
            }
            j.put("top", top);
            j.put("read_ms", readMs);
            j.put("open_ms", openMs);
            j.put("run_ms", runMs);
            if (output != null) {
                j.put("written", output.toString());
            }
            out.println(toJson(j));
            return;
        }
        out.printf("model    %s%n", modelFile);
        out.printf("backend  %s%s%n", session.describe(), session.backend() == requested ? ""
                : "  (instead of " + requested + ", which could not start)");
        for (Feeds.Feed f : feeds) {
            out.printf("input    %s: %s (%s)%n", f.name(), Feeds.typeOf(f.tensor()), f.source());
        }
        out.printf("output   %s: %s%n", first.name(), Feeds.typeOf(first));
        boolean softmax = rows.stream().flatMap(List::stream).anyMatch(e -> !Double.isNaN(e.softmax()));
        for (int r = 0; r < rows.size(); r++) {
            out.printf("%-8s %7s %14s%s%n", rows.size() == 1 ? "top " + rows.get(r).size() : "row " + r, "index",
                    "value", softmax ? "   softmax" : "");
            for (TopValues.Entry e : rows.get(r)) {
                out.printf(Locale.ROOT, "%-8s %7d %14.6g%s%n", "", e.index(), e.value(),
                        Double.isNaN(e.softmax()) ? "" : String.format(Locale.ROOT, " %9.4f", e.softmax()));
            }
        }
        out.printf(Locale.ROOT, "time     %.2f ms (reading the model took %.0f ms, opening the session %.0f ms)%s%n", runMs,
                readMs, openMs,
                session.backend() == Backend.VECTOR
                        ? "; a first run on vector includes JIT compilation, 'condense bench' times warm runs" : "");
        if (output != null) {
            out.printf("wrote    %s%n", output);
        }
    }

    static String toJson(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
