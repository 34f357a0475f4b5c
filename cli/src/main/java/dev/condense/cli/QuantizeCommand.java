// `condense quantize`: int8 post-training quantization (static with calibration, or dynamic) with a per-layer SQNR diagnosis.
package dev.condense.cli;

import dev.condense.compress.FormatException;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Split;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.compress.dcz.DczWriter;
import dev.condense.compress.pipeline.CompressionPipeline;
import dev.condense.compress.pipeline.CompressionPreset;
import dev.condense.compress.pipeline.CompressionResult;
import dev.condense.compress.pipeline.Retraining;
import dev.condense.onnx.OnnxWriter;
import dev.condense.quantize.int8.CalibrationMethod;
import dev.condense.quantize.int8.DynamicQuantizer;
import dev.condense.quantize.int8.LayerSqnr;
import dev.condense.quantize.int8.QOperatorRewriter;
import dev.condense.quantize.int8.QdqRewriter;
import dev.condense.quantize.int8.QuantType;
import dev.condense.quantize.int8.QuantizationException;
import dev.condense.quantize.int8.QuantizeOptions;
import dev.condense.quantize.int8.StaticQuantizer;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;
import dev.condense.runtime.SessionRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "quantize",
        description = {"Quantize a model to int8: weights int8 symmetric (per output channel by default), activations"
                + " uint8 or int8 with ranges calibrated on sample inputs, written as QDQ (QuantizeLinear/DequantizeLinear"
                + " pairs ONNX Runtime fuses into its int8 kernels) or QOperator (QLinearConv, QLinearMatMul).",
                "Prints the signal-to-quantization-noise ratio of every quantized layer's output against fp32 on the"
                        + " calibration set, and of the model's output. --dynamic quantizes Gemm and MatMul weights"
                        + " ahead of time and activations at run time, with no calibration."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
                "  condense quantize models/trained/vgg-16-bn.onnx -o vgg-int8.onnx --calibration fashion-mnist --evaluate",
                "  condense quantize resnet50.onnx -o resnet50-int8.onnx --calibration random --samples 8",
                "  condense quantize lenet5.onnx -o lenet5-int8.onnx --calibration fashion-mnist --exclude auto --max-drop 0.3",
                "  condense quantize lenet300.onnx -o lenet300-dyn.onnx --dynamic"})
final class QuantizeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "an ONNX file or a .dcz container")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx|OUT.dcz", description = "the quantized model: ONNX, or a DCZ container with int8 entries")
    Path output;

    @Mixin
    CalibrationArgs calib;

    @Option(names = "--data", paramLabel = "DIR", description = "folder holding the Fashion-MNIST IDX files")
    Path data;

    @Option(names = "--dynamic", description = "dynamic quantization of Gemm and MatMul layers (no calibration)")
    boolean dynamic;

    @Option(names = "--format", paramLabel = "F", defaultValue = "qdq", description = "qdq or qoperator (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--exclude", paramLabel = "NAME,...|auto", split = ",",
            description = "layers kept in fp32 (node, short or weight names), or 'auto': keep the most damaging layers"
                    + " in fp32 until the top-1 drop on the test split is within --max-drop")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--max-drop", paramLabel = "D", defaultValue = "0.5",
            description = "top-1 points --exclude auto may lose (default: ${DEFAULT-VALUE})")
    double maxDrop;

    @Option(names = "--isolated", description = "also quantize each layer alone and show the model output's SQNR then:"
            + " which layer hurts by itself, not by the noise it inherits (one extra quantized model per layer)")
    boolean isolated;

    @Option(names = "--report", paramLabel = "FILE.json",
            description = "write the settings, the per-layer table and the accuracy as JSON")
    Path report;

    @Option(names = "--evaluate", description = "measure top-1 before and after on the dataset's test split")
    boolean evaluate;

    @Option(names = "--eval-limit", paramLabel = "N", description = "evaluate on the first N test images only")
    Integer evalLimit;

    @Mixin
    EngineArgs engine;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, ModelLoadException, IOException, FormatException, DatasetException,
            QuantizationException, SessionException {
        ModelFiles.checkOutput(input, output, null);
        if (report != null) {
            ModelFiles.checkOutput(input, report, null);
            if (report.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
                throw new UserException("--report " + report + " is the output model; name another file");
            }
        }
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".onnx") && !name.endsWith(".dcz")) {
            throw new UserException("the output must be an .onnx file or a .dcz container, got " + output.getFileName());
        }
        if (evaluate && (calib.calibration == null || calib.random())) {
            throw new UserException("--evaluate needs labelled data: name a dataset with --calibration, not random inputs");
        }
        QuantizeOptions options = options();
        boolean auto = exclude.size() == 1 && exclude.getFirst().equalsIgnoreCase("auto");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Model model = ModelFiles.read(input);
        SessionOptions session = engine.options();
        json.put("model", input.toString());
        json.put("output", output.toString());
        json.put("mode", dynamic ? "dynamic" : "static");
        json.put("format", dynamic ? "dynamic" : options.format().label());
        json.put("weights", options.perChannel() ? "int8 per-channel" : "int8 per-tensor");
        if (!dynamic) {
            json.put("activations", options.activations().label());
            json.put("method", options.method().label());
            json.put("calibration", calib.calibration);
            json.put("samples", calib.sampleCount());
        }
        json.put("backend", session.backend().toString());

        if (dynamic) {
            if ((calib.calibration != null && !evaluate) || auto) {
                throw new UserException("--dynamic measures activation ranges at run time: --calibration only names the"
                        + " dataset --evaluate uses, and --exclude auto does not apply");
            }
            DynamicQuantizer.Result r = DynamicQuantizer.quantize(StaticQuantizer.prepare(model), options);
            if (r.layers().isEmpty()) {
                throw new UserException("the model has no Gemm or MatMul layer with a constant weight to quantize dynamically");
            }
            Model q = withMetadata(r.model(), null);
            write(q, out);
            out.printf(Locale.ROOT, "%s: %d fully connected layers quantized dynamically (%s): %s%n", output.getFileName(),
                    r.layers().size(), options.perChannel() ? "per-channel" : "per-tensor", String.join(", ", r.layers()));
            json.put("layers", r.layers());
            if (evaluate) {
                report(out, model, q, session);
            }
            writeReport();
            return 0;
        }
        boolean random = calib.random();
        if (auto && random) {
            throw new UserException("--exclude auto needs labelled data: calibrate on a dataset, not random inputs");
        }
        int n = calib.sampleCount();
        List<Map<String, Tensor>> calibration = calib.batches(model, data, err);
        Model result;
        try (SessionRunner runner = new SessionRunner(session)) {
            Model prepared = StaticQuantizer.prepare(model);
            QdqRewriter.Result q;
            // Everything is measured on the QDQ form; QOperator is a rewrite of it, made last.
            QuantizeOptions qdq = options.withFormat(QuantizeOptions.Format.QDQ);
            if (auto) {
                Dataset test = testSplit(model);
                StaticQuantizer.AutoExclusion a = StaticQuantizer.excludeUntil(model, qdq, calibration, runner,
                        m -> top1(m, test, session), maxDrop);
                for (StaticQuantizer.ExclusionStep s : a.steps()) {
                    out.printf(Locale.ROOT, "exclude %-40s top-1 %.2f%% (%+.2f points)%n",
                            s.excluded().isEmpty() ? "(none)" : String.join(",", s.excluded()), 100 * s.top1(), -s.dropPoints());
                }
                if (!a.reached()) {
                    err.printf(Locale.ROOT, "condense quantize: warning: the drop stays above %.2f points; writing the"
                            + " last candidate%n", maxDrop);
                } else if (a.result().layers().isEmpty()) {
                    err.printf(Locale.ROOT, "condense quantize: warning: only the fp32 model stays within %.2f points;"
                            + " every layer is excluded%n", maxDrop);
                }
                q = a.result();
                java.util.List<Map<String, Object>> steps = new ArrayList<>();
                for (StaticQuantizer.ExclusionStep st : a.steps()) {
                    steps.add(Map.of("excluded", st.excluded(), "top1", st.top1(), "drop_points", st.dropPoints()));
                }
                json.put("exclusion_steps", steps);
            } else {
                q = StaticQuantizer.quantize(model, qdq, calibration, runner);
            }
            StaticQuantizer.Diagnosis d = StaticQuantizer.diagnose(prepared, q, calibration, runner);
            Map<String, Double> alone = isolated
                    ? StaticQuantizer.isolated(model, qdq.withExclude(excludedOf(q, prepared)), calibration, runner)
                    : Map.of();
            printTable(out, d, alone, n, random);
            json.put("layers", layerJson(d, alone));
            json.put("output_sqnr_db", finite(d.outputDb()));
            Model written = options.format() == QuantizeOptions.Format.QOPERATOR ? QOperatorRewriter.rewrite(q.model())
                    : q.model();
            result = withMetadata(written, calib.label(n));
        }
        write(result, out);
        out.printf(Locale.ROOT, "wrote %s (%s, %s weights, %s activations)%n", output.getFileName(), options.format().label(),
                options.perChannel() ? "per-channel" : "per-tensor", options.activations().label());
        if (evaluate) {
            report(out, model, result, session);
        }
        writeReport();
        return 0;
    }

    /** What --report writes, filled as the command goes. */
    private final Map<String, Object> json = new LinkedHashMap<>();

    private void writeReport() throws IOException, UserException {
        if (report == null) {
            return;
        }
        TextFiles.writeAtomically(report, RunCommand.toJson(json) + "\n");
        spec.commandLine().getOut().printf("wrote %s%n", report.getFileName());
    }

    private QuantizeOptions options() throws UserException {
        try {
            QuantizeOptions o = calib.options().withFormat(QuantizeOptions.Format.parse(format));
            boolean auto = exclude.size() == 1 && exclude.getFirst().equalsIgnoreCase("auto");
            if (!auto) {
                for (String e : exclude) {
                    if (e.isBlank() || e.equalsIgnoreCase("auto")) {
                        throw new UserException("--exclude takes layer names, or 'auto' alone; got " + exclude);
                    }
                }
                o = o.withExclude(new LinkedHashSet<>(exclude));
            }
            if (dynamic && o.format() != QuantizeOptions.Format.QDQ) {
                throw new UserException("--dynamic writes DynamicQuantizeLinear and MatMulInteger; --format does not apply");
            }
            return o;
        } catch (QuantizationException e) {
            throw new UserException(e.getMessage());
        }
    }

    /** The layers a quantized result left in fp32: the weight layers of the prepared model it did not quantize. */
    private static Set<String> excludedOf(QdqRewriter.Result q, Model prepared) {
        Set<String> quantized = new LinkedHashSet<>();
        q.layers().forEach(l -> quantized.add(l.name()));
        Set<String> out = new LinkedHashSet<>();
        for (var l : dev.condense.layers.WeightLayer.of(prepared.graph())) {
            if (!quantized.contains(l.name())) {
                out.add(l.name());
            }
        }
        return out;
    }

    private static java.util.List<Map<String, Object>> layerJson(StaticQuantizer.Diagnosis d, Map<String, Double> alone) {
        java.util.List<Map<String, Object>> rows = new ArrayList<>();
        for (LayerSqnr l : d.layers()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("layer", l.layer().name());
            row.put("op", l.layer().opType());
            row.put("weight_scales", l.layer().weightParams().channels());
            row.put("sqnr_db", finite(l.sqnrDb()));
            row.put("loss_db", finite(l.lossDb()));
            if (alone.containsKey(l.layer().name())) {
                row.put("alone_output_sqnr_db", finite(alone.get(l.layer().name())));
            }
            rows.add(row);
        }
        return rows;
    }

    /** JSON has no infinity or NaN. */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private void printTable(PrintWriter out, StaticQuantizer.Diagnosis d, Map<String, Double> alone, int n, boolean random) {
        out.printf(Locale.ROOT, "SQNR against fp32 on %d %s samples (higher is better; loss = dB lost against the"
                + " layer's input)%n", n, random ? "random" : "calibration");
        out.printf(Locale.ROOT, "%-32s %-6s %-22s %9s %8s%s%n", "layer", "op", "weights", "SQNR dB", "loss dB",
                alone.isEmpty() ? "" : "  alone dB");
        for (LayerSqnr l : d.layers()) {
            var p = l.layer().weightParams();
            String w = p.perChannel() ? "int8 x" + p.channels() + " scales" : "int8 per-tensor";
            Double a = alone.get(l.layer().name());
            out.printf(Locale.ROOT, "%-32s %-6s %-22s %9s %8s%s%n", l.layer().name(), l.layer().opType(), w, db(l.sqnrDb()),
                    db(l.lossDb()), a == null ? "" : String.format(Locale.ROOT, "  %8s", db(a)));
        }
        d.outputs().forEach((k, v) -> out.printf(Locale.ROOT, "model output '%s': SQNR %s dB%n", k, db(v)));
    }

    private static String db(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : String.format(Locale.ROOT, "%.1f", v);
    }

    private Model withMetadata(Model q, String calibrationLabel) {
        Map<String, String> meta = new LinkedHashMap<>(q.metadata());
        meta.put("condense.quantize.mode", dynamic ? "dynamic" : "static");
        meta.put("condense.quantize.format", dynamic ? "dynamic" : format.toLowerCase(Locale.ROOT));
        meta.put("condense.quantize.weights", calib.perTensor ? "int8 per-tensor" : "int8 per-channel");
        if (!dynamic) {
            meta.put("condense.quantize.activations", calib.activations.toLowerCase(Locale.ROOT));
            meta.put("condense.quantize.calibration", calibrationLabel);
        }
        return new Model(q.irVersion(), q.opsets(), q.producerName(), q.producerVersion(), q.docString(), meta, q.graph());
    }

    /**
     * ONNX as it is, or a DCZ container: int8 weights as int8 entries (sparse where pruned weights
     * make that smaller, Huffman-coded when that is smaller), everything else as the pipeline stores it.
     */
    private void write(Model q, PrintWriter out) throws IOException, UserException, ModelLoadException {
        if (!output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcz")) {
            OnnxWriter.write(q, output, OnnxWriter.Options.inline());
            return;
        }
        try {
            CompressionResult r = CompressionPipeline.of(CompressionPreset.DEFAULT).withoutPruning().withoutSharing()
                    .withFoldBatchNorm(false).compress(q);
            DczWriter.write(output, r.archive());
            out.print(r.report().table());
        } catch (Retraining.RetrainingException | IllegalArgumentException e) {
            throw new UserException("cannot store the quantized model as DCZ: " + e.getMessage());
        }
    }

    private Dataset testSplit(Model model) throws UserException, DatasetException {
        Dataset test = DatasetArgs.normalizedFor(calib.dataset(data).open(Split.TEST, EvalCommand.sampleShape(model)), model);
        if (evalLimit != null) {
            if (evalLimit < 1) {
                throw new UserException("--eval-limit must be at least 1, got " + evalLimit);
            }
            test = test.take(evalLimit);
        }
        return test;
    }

    private double top1(Model m, Dataset test, SessionOptions session) throws QuantizationException {
        try {
            return Accuracy.of(m, test, session, Accuracy.DEFAULT_BATCH).top1();
        } catch (ModelLoadException | SessionException | DatasetException | UserException e) {
            throw new QuantizationException("evaluating a quantized candidate failed: " + e.getMessage(), e);
        }
    }

    private void report(PrintWriter out, Model fp32, Model q, SessionOptions session)
            throws UserException, DatasetException, ModelLoadException, SessionException {
        Dataset test = testSplit(fp32);
        Accuracy a = Accuracy.of(fp32, test, session, Accuracy.DEFAULT_BATCH);
        Accuracy b = Accuracy.of(q, test, session, Accuracy.DEFAULT_BATCH);
        json.put("fp32_top1", a.top1());
        json.put("int8_top1", b.top1());
        json.put("fp32_top5", a.top5());
        json.put("int8_top5", b.top5());
        json.put("eval_images", a.images());
        out.printf(Locale.ROOT, "top-1 on %,d test images (%s): fp32 %.2f%%, int8 %.2f%% (%+.2f points); top-5 %.2f%% -> %.2f%%%n",
                a.images(), session.backend(), 100 * a.top1(), 100 * b.top1(), 100 * (b.top1() - a.top1()),
                100 * a.top5(), 100 * b.top5());
    }
}
