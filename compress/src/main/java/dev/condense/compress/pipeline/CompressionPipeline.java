// Deep Compression end to end: simplify (and fold BatchNorm), prune, share, encode each layer, and pack the DCZ container.
package dev.condense.compress.pipeline;

import dev.condense.compress.dcz.DczArchive;
import dev.condense.compress.dcz.DequantizeParameters;
import dev.condense.compress.dcz.DczModel;
import dev.condense.compress.dcz.DczTensor;
import dev.condense.compress.dcz.DczWriter;
import dev.condense.compress.dcz.TensorEncoding;
import dev.condense.compress.huffman.HuffmanCode;
import dev.condense.compress.layer.EncodedLayer;
import dev.condense.compress.layer.Int8Codec;
import dev.condense.compress.layer.Int8Quantization;
import dev.condense.compress.layer.LayerCodec;
import dev.condense.compress.layer.LayerOptions;
import dev.condense.compress.layer.LayerSizes;
import dev.condense.compress.layer.SharedWeights;
import dev.condense.ir.DataType;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.layers.LayerRules;
import dev.condense.layers.WeightLayer;
import dev.condense.onnx.OnnxReader;
import dev.condense.passes.FoldBatchNorm;
import dev.condense.passes.GraphPass;
import dev.condense.passes.Passes;
import dev.condense.prune.LayerPruning;
import dev.condense.prune.MagnitudePruner;
import dev.condense.prune.PruneResult;
import dev.condense.quantize.sharing.CentroidIndices;
import dev.condense.quantize.sharing.SharingResult;
import dev.condense.quantize.sharing.WeightSharer;
import dev.condense.quantize.sharing.WeightSharing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.zip.GZIPOutputStream;

/**
 * The stages of Deep Compression (Han, Mao and Dally, ICLR 2016) on an imported model:
 * <ol>
 *   <li>simplify the graph ({@link Passes#simplify()}) and, when asked, fold BatchNormalization into
 *       the Conv or Gemm before it;</li>
 *   <li>prune each weight layer by magnitude ({@link MagnitudePruner}), unless skipped;</li>
 *   <li>share each layer's kept weights through a k-means codebook ({@link WeightSharer}), unless skipped;
 *       or, in its place, quantize the model to int8 through a {@link Quantization} hook;</li>
 *   <li>encode each weight layer ({@link LayerCodec}): sparse with a relative index of the layer's
 *       width when it has zeros, dense when it has none; codebook indices when shared, raw fp32
 *       otherwise; both index streams Huffman-coded unless Huffman is off. A layer neither pruned
 *       nor shared, and every other fp32 tensor (biases, BatchNorm parameters), is stored raw. An INT8
 *       or UINT8 weight that DequantizeLinear reads (from the hook, or already in a QDQ input model)
 *       is stored in the int8 encodings ({@link Int8Codec}), sparse and Huffman-coded where smaller;</li>
 *   <li>pack the container ({@link DczModel#archive}): the graph without the stored tensors' bytes,
 *       one entry per tensor, the settings and per-layer accounting in the manifest.</li>
 * </ol>
 * Instances are immutable. Settings that do not fit the model (a rule naming no layer, a paper
 * preset on another architecture) are {@link IllegalArgumentException}s that say so.
 */
public final class CompressionPipeline {

    /** An index-bits rule of this value lets each layer take the relative-index width with the smallest payload. */
    public static final int AUTO_INDEX_BITS = LayerLayout.AUTO;

    private static final System.Logger LOG = System.getLogger(CompressionPipeline.class.getName());

    private final String presetLabel;
    private final boolean foldBatchNorm;
    private final MagnitudePruner pruner;
    private final WeightSharer sharer;
    private final boolean huffman;
    private final LayerRules<Integer> indexBits;
    private final Retraining retraining;
    private final int iterations;
    private final Quantization quantization;

    private CompressionPipeline(String presetLabel, boolean foldBatchNorm, MagnitudePruner pruner, WeightSharer sharer,
                                boolean huffman, LayerRules<Integer> indexBits) {
        this(presetLabel, foldBatchNorm, pruner, sharer, huffman, indexBits, null, 1, null);
    }

    private CompressionPipeline(String presetLabel, boolean foldBatchNorm, MagnitudePruner pruner, WeightSharer sharer,
                                boolean huffman, LayerRules<Integer> indexBits, Retraining retraining, int iterations,
                                Quantization quantization) {
        if (sharer != null && quantization != null) {
            throw new IllegalArgumentException("weight sharing and int8 quantization are mutually exclusive (both replace"
                    + " the kept weights' values); call withoutSharing() before withQuantization(...)");
        }
        this.quantization = quantization;
        this.retraining = retraining;
        this.iterations = iterations;
        this.presetLabel = Objects.requireNonNull(presetLabel, "presetLabel");
        this.foldBatchNorm = foldBatchNorm;
        this.pruner = pruner;
        this.sharer = sharer;
        this.huffman = huffman;
        this.indexBits = Objects.requireNonNull(indexBits, "indexBits");
        for (Integer b : indexBits.rules().values()) {
            checkIndexBits(b);
        }
        indexBits.fallback().ifPresent(CompressionPipeline::checkIndexBits);
    }

    /** The pipeline with {@code preset}'s pruning, sharing and index widths, Huffman on, BatchNorm kept. */
    public static CompressionPipeline of(CompressionPreset preset) {
        return new CompressionPipeline(preset.label(), false, preset.pruner(), preset.sharer(), true, preset.indexBits());
    }

    public CompressionPipeline withFoldBatchNorm(boolean on) {
        return new CompressionPipeline(presetLabel, on, pruner, sharer, huffman, indexBits, retraining, iterations, quantization);
    }

    /** Prunes with {@code newPruner} instead of the preset's. */
    public CompressionPipeline withPruner(MagnitudePruner newPruner) {
        return new CompressionPipeline(presetLabel, foldBatchNorm, Objects.requireNonNull(newPruner, "pruner"), sharer,
                huffman, indexBits, retraining, iterations, quantization);
    }

    /** Skips pruning: layers keep every weight (and are stored dense unless they hold zeros of their own). */
    public CompressionPipeline withoutPruning() {
        return new CompressionPipeline(presetLabel, foldBatchNorm, null, sharer, huffman, indexBits, retraining, iterations,
                quantization);
    }

    /** Shares weights with {@code newSharer} instead of the preset's. */
    public CompressionPipeline withSharer(WeightSharer newSharer) {
        return new CompressionPipeline(presetLabel, foldBatchNorm, pruner, Objects.requireNonNull(newSharer, "sharer"),
                huffman, indexBits, retraining, iterations, quantization);
    }

    /** Skips weight sharing: kept weights are stored as raw fp32. */
    public CompressionPipeline withoutSharing() {
        return new CompressionPipeline(presetLabel, foldBatchNorm, pruner, null, huffman, indexBits, retraining, iterations,
                quantization);
    }

    public CompressionPipeline withHuffman(boolean on) {
        return new CompressionPipeline(presetLabel, foldBatchNorm, pruner, sharer, on, indexBits, retraining, iterations,
                quantization);
    }

    /**
     * Relative-index widths per layer as rules ({@code conv=8,fc=5,fc6=4}), on top of the current
     * ones; {@code auto} lets each layer take the width that gives it the smallest payload.
     */
    public CompressionPipeline withIndexBits(String rules) {
        LayerRules<Integer> parsed = LayerRules.parse(rules, s -> {
            if (s.strip().equalsIgnoreCase("auto")) {
                return AUTO_INDEX_BITS;
            }
            try {
                int bits = Integer.parseInt(s.strip());
                // Rules hold 'auto' as 0; written as a number, 0 is a mistake like any other outside 1..16.
                if (bits < 1 || bits > 16) {
                    throw new IllegalArgumentException("relative index bits must lie in [1, 16], got " + bits);
                }
                return bits;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + s + "' is not a bit count (1 to 16) or 'auto'", e);
            }
        });
        return new CompressionPipeline(presetLabel, foldBatchNorm, pruner, sharer, huffman, indexBits.withAll(parsed),
                retraining, iterations, quantization);
    }

    /**
     * Retrains after pruning and after sharing through {@code hook}, pruning in {@code iterations}
     * steps ({@link MagnitudePruner#atStage}) with retraining after each.
     */
    public CompressionPipeline withRetraining(Retraining hook, int iterations) {
        if (iterations < 1 || iterations > 100) {
            throw new IllegalArgumentException("pruning iterations must lie in [1, 100], got " + iterations);
        }
        return new CompressionPipeline(presetLabel, foldBatchNorm, pruner, sharer, huffman, indexBits,
                Objects.requireNonNull(hook, "hook"), iterations, quantization);
    }

    /**
     * Quantizes to int8 through {@code hook} after pruning (and its retraining), in place of weight
     * sharing, which must be off ({@link #withoutSharing()}). The int8 weights of the model the hook
     * returns are stored in the int8 encodings, sparse and Huffman-coded where that is smaller.
     */
    public CompressionPipeline withQuantization(Quantization hook) {
        return new CompressionPipeline(presetLabel, foldBatchNorm, pruner, sharer, huffman, indexBits, retraining, iterations,
                Objects.requireNonNull(hook, "hook"));
    }

    /** The int8 quantization hook, empty when the pipeline shares weights or stores them as they are. */
    public Optional<Quantization> quantization() {
        return Optional.ofNullable(quantization);
    }

    public Optional<MagnitudePruner> pruner() {
        return Optional.ofNullable(pruner);
    }

    public Optional<WeightSharer> sharer() {
        return Optional.ofNullable(sharer);
    }

    public boolean huffman() {
        return huffman;
    }

    public boolean foldBatchNorm() {
        return foldBatchNorm;
    }

    public LayerRules<Integer> indexBits() {
        return indexBits;
    }

    private static int checkIndexBits(int bits) {
        if (bits == AUTO_INDEX_BITS) {
            return bits;
        }
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("relative index bits must lie in [1, 16], got " + bits);
        }
        return bits;
    }

    /**
     * Compresses a model in memory.
     *
     * @throws ModelLoadException       when a graph pass finds the graph invalid
     * @throws IllegalArgumentException when a setting does not fit the model (named in the message)
     */
    public CompressionResult compress(Model model) throws ModelLoadException, Retraining.RetrainingException {
        Map<String, Double> phases = new LinkedHashMap<>();
        long t = System.nanoTime();
        List<GraphPass> passes = new ArrayList<>(Passes.simplify());
        if (foldBatchNorm) {
            passes.add(new FoldBatchNorm());
        }
        Model simplified = Passes.run(model, passes);
        List<WeightLayer> layers = WeightLayer.of(simplified.graph());
        List<WeightLayer> ruleLayers = new ArrayList<>(layers);
        ruleLayers.addAll(int8Layers(simplified.graph()));
        indexBits.checkKeys(ruleLayers);
        t = lap(phases, foldBatchNorm ? "simplify+fold-bn" : "simplify", t);

        PruneResult pruning = null;
        Model pruned = simplified;
        if (retraining != null) {
            retraining.stage("dense", simplified);
        }
        if (pruner != null) {
            int steps = retraining == null ? 1 : iterations;
            for (int i = 1; i <= steps; i++) {
                pruning = (i == steps ? pruner : pruner.atStage((double) i / steps)).prune(pruned);
                pruned = pruning.apply(pruned);
                if (retraining != null) {
                    String of = i + "/" + steps;
                    retraining.stage("pruned " + of, pruned);
                    pruned = retraining.retrainPruned(pruned, pruning, i, steps);
                    retraining.stage("retrained " + of, pruned);
                }
            }
        }
        t = lap(phases, retraining == null ? "prune" : "prune+retrain", t);
        SharingResult sharing = sharer == null ? null : sharer.share(pruned);
        Model shared = sharing == null ? pruned : sharing.apply(pruned);
        if (sharing != null && retraining != null) {
            retraining.stage("shared", shared);
            SharingResult tuned = retraining.tuneCentroids(pruned, sharing);
            if (tuned != sharing) {
                sharing = tuned;
                shared = sharing.apply(pruned);
                retraining.stage("centroids tuned", shared);
            }
        }
        t = lap(phases, retraining == null ? "share" : "share+tune", t);
        Model quantized = null;
        if (quantization != null) {
            quantized = Objects.requireNonNull(quantization.quantize(pruned), "the quantization hook returned null");
            t = lap(phases, "quantize", t);
        }
        // What the archive stores: the quantized model, or the pruned one whose fp32 weights are encoded (and shared).
        Model stored = quantized != null ? quantized : shared;
        Model weights = quantized != null ? quantized : pruned;

        Map<String, WeightLayer> layerByWeight = new HashMap<>();
        for (WeightLayer l : quantized != null ? WeightLayer.of(quantized.graph()) : layers) {
            layerByWeight.put(l.weightName(), l);
        }
        Map<String, WeightLayer> int8LayerByWeight = new HashMap<>();
        for (WeightLayer l : int8Layers(stored.graph())) {
            int8LayerByWeight.put(l.weightName(), l);
        }
        Map<String, WeightSharing> sharingByWeight = new HashMap<>();
        if (sharing != null) {
            for (WeightSharing s : sharing.layers()) {
                sharingByWeight.put(s.weightName(), s);
            }
        }
        List<DczTensor> tensors = new ArrayList<>();
        List<TensorReport> rows = new ArrayList<>();
        Set<String> quantizationScales = quantizationScales(stored.graph());
        for (Tensor weight : weights.graph().initializers().values()) {
            if (weight.dtype() == DataType.INT8 || weight.dtype() == DataType.UINT8) {
                DequantizeParameters.Found found = DequantizeParameters.of(stored.graph(), weight);
                if (found.ok()) {
                    Encoded e = encodeInt8(weight, found.quantization(), int8LayerByWeight.get(weight.name()));
                    tensors.add(e.tensor());
                    rows.add(e.report());
                } else {
                    LOG.log(System.Logger.Level.DEBUG, "{0} {1} stays inline: {2}", weight.dtype().displayName(),
                            weight.name(), found.problem());
                }
                continue;
            }
            if (weight.dtype() != DataType.FLOAT || quantizationScales.contains(weight.name())) {
                continue; // stays inline in the graph entry
            }
            WeightLayer layer = layerByWeight.get(weight.name());
            Encoded e = layer == null ? raw(weight, "", "")
                    : encodeLayer(layer, weight, sharingByWeight.get(weight.name()),
                    stored.graph().initializers().get(weight.name()));
            tensors.add(e.tensor());
            rows.add(e.report());
        }
        t = lap(phases, "encode", t);

        ruleLayers.addAll(int8LayerByWeight.values().stream()
                .filter(l -> ruleLayers.stream().noneMatch(r -> r.name().equals(l.name()))).toList());
        DczArchive archive = DczModel.archive(stored, tensors, settings(ruleLayers, pruning, sharing));
        long archiveBytes = DczWriter.size(archive);
        lap(phases, "pack", t);
        CompressionReport report = new CompressionReport(presetLabel, rows, archive.graph().byteSize(),
                DczWriter.storedGraphSize(archive), archiveBytes,
                OptionalLong.empty(), OptionalLong.empty(), phases);
        return new CompressionResult(stored, archive, report, Optional.ofNullable(pruning), Optional.ofNullable(sharing));
    }

    /**
     * Compresses the model in {@code input} and writes the container to {@code output} (through a
     * temporary file renamed into place, so a failure leaves no partial file). The report gains the
     * input's size on disk and, when {@code gzipBaseline}, its size gzipped (computed alongside, on
     * another thread). The output may not be the input or one of its external data files.
     */
    public CompressionResult compress(Path input, Path output, boolean gzipBaseline)
            throws ModelLoadException, IOException, Retraining.RetrainingException {
        long start = System.nanoTime();
        OnnxReader.Loaded loaded = OnnxReader.load(input);
        List<Path> inputFiles = new ArrayList<>();
        inputFiles.add(input.toAbsolutePath());
        inputFiles.addAll(loaded.externalFiles());
        if (Files.exists(output)) {
            for (Path p : inputFiles) {
                if (Files.isSameFile(p, output)) {
                    throw new IllegalArgumentException("the output " + output + " is " + (p.equals(inputFiles.getFirst())
                            ? "the input" : "the input's external data file " + p) + "; write to another file");
                }
            }
        }
        double readMillis = (System.nanoTime() - start) / 1e6;
        // On its own thread, so that it runs beside the single-threaded stages; interrupted when they fail.
        FutureTask<Long> gzip = new FutureTask<>(() -> gzipBaseline ? gzipSize(inputFiles) : -1L);
        Thread gzipThread = new Thread(gzip, "condense-gzip-baseline");
        gzipThread.setDaemon(true);
        gzipThread.start();
        try {
            CompressionResult result = compress(loaded.model());
            long t = System.nanoTime();
            DczWriter.write(output, result.archive());
            CompressionReport report = result.report().withPhase("write", (System.nanoTime() - t) / 1e6);
            long written = Files.size(output);
            if (written != report.archiveBytes()) {
                throw new IllegalStateException("wrote " + written + " bytes to " + output + ", the layout said "
                        + report.archiveBytes());
            }
            t = System.nanoTime();
            long gzipped = gzip.get();
            report = report.withPhase("wait for gzip baseline", (System.nanoTime() - t) / 1e6)
                    .withInput(loaded.bytesOnDisk(), gzipped < 0 ? OptionalLong.empty() : OptionalLong.of(gzipped));
            Map<String, Double> phases = new LinkedHashMap<>();
            phases.put("read", readMillis);
            phases.putAll(report.phaseMillis());
            phases.put("total", (System.nanoTime() - start) / 1e6);
            report = new CompressionReport(report.preset(), report.tensors(), report.graphBytes(),
                    report.graphStoredBytes(), report.archiveBytes(),
                    report.inputBytes(), report.inputGzipBytes(), phases);
            return result.withReport(report);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while gzipping " + input + " for the baseline", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause()
                    : new IOException("gzipping " + input + " failed: " + e.getCause(), e.getCause());
        } finally {
            gzip.cancel(true);
        }
    }

    /** The bytes of {@code files} through gzip at its default level (6), each file its own stream. */
    static long gzipSize(List<Path> files) {
        long total = 0;
        for (Path file : files) {
            CountingSink sink = new CountingSink();
            try (InputStream in = Files.newInputStream(file);
                 GZIPOutputStream gz = new GZIPOutputStream(sink, 1 << 16)) {
                in.transferTo(gz);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            total += sink.count;
        }
        return total;
    }

    /** Counts what is written and keeps nothing. */
    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    /** A tensor entry and its report row. */
    private record Encoded(DczTensor tensor, TensorReport report) {
    }

    private static Encoded raw(Tensor t, String layer, String opType) {
        long n = t.elementCount();
        long kept = 0;
        for (long i = 0; i < n; i++) {
            kept += t.data().getAtIndex(Tensor.FLOAT_LE, i) != 0f ? 1 : 0;
        }
        LayerSizes sizes = new LayerSizes(n, n, kept, 0, 0, 0, 0, 32 * n);
        return new Encoded(DczTensor.fromTensor(t), new TensorReport(t.name(), layer, opType, 0, 0,
                TensorEncoding.RAW_FP32, sizes));
    }

    /**
     * One weight layer: {@code weight} is the pruned weight (zeros pruned), {@code sharing} its
     * codebook over the non-zero weights in flat order (or null), {@code stored} the weight as the
     * model holds it after sharing. The layout with the smallest payload wins ({@link LayerLayout}):
     * sparse at the rule's index width (or the best one), dense, or the stored weight as raw fp32.
     */
    private Encoded encodeLayer(WeightLayer layer, Tensor weight, WeightSharing sharing, Tensor stored) {
        float[] w = weight.toFloatArray();
        int kept = 0;
        for (float v : w) {
            kept += v != 0 ? 1 : 0;
        }
        SharedWeights shared = null;
        if (sharing != null) {
            // The codec wants a codebook index per position; pruned positions are ignored.
            CentroidIndices indices = sharing.indices();
            if (indices.size() != kept) {
                throw new IllegalStateException(layer.describe() + " has " + kept + " kept weights, its sharing "
                        + indices.size());
            }
            int[] perPosition = new int[w.length];
            int next = 0;
            for (int p = 0; p < w.length; p++) {
                if (w[p] != 0) {
                    perPosition[p] = indices.get(next++);
                }
            }
            shared = new SharedWeights(sharing.codebook(), perPosition);
        }
        int rule = indexBits.resolve(layer).map(LayerRules.Resolved::value).orElse(LayerLayout.AUTO);
        LayerLayout layout = LayerLayout.choose(w, shared, huffman, HuffmanCode.DEFAULT_LENGTH_LIMIT, rule);
        if (layout.raw()) {
            return raw(stored, layer.name(), layer.opType());
        }
        // The width is ignored when dense; LayerOptions wants a valid one all the same.
        LayerOptions options = new LayerOptions(layout.sparse(), layout.sparse() ? layout.relativeIndexBits() : 8, huffman,
                HuffmanCode.DEFAULT_LENGTH_LIMIT);
        EncodedLayer encoded = shared == null ? LayerCodec.encode(w, options) : LayerCodec.encode(w, shared, options);
        if (encoded.byteSize() != layout.bytes()) {
            throw new IllegalStateException(layer.describe() + ": the layout planner predicted " + layout.bytes()
                    + " bytes, the encoding has " + encoded.byteSize());
        }
        TensorReport row = new TensorReport(weight.name(), layer.name(), layer.opType(),
                sharing == null ? 0 : sharing.bits(), layout.relativeIndexBits(), TensorEncoding.DEEP_COMPRESSION,
                encoded.sizes());
        return new Encoded(DczTensor.encoded(weight.name(), weight.dims(), encoded), row);
    }

    /**
     * One int8 (or uint8) initializer that DequantizeLinear reads with {@code quantization}: the
     * smallest of dense and sparse (at the layer's index-bits rule, or the best width), Huffman-coded
     * when on and smaller ({@link Int8Layout}). {@code layer} is the Conv, Gemm or MatMul reading the
     * dequantized weight, or null.
     */
    private Encoded encodeInt8(Tensor weight, Int8Quantization quantization, WeightLayer layer) {
        byte[] values = weight.toByteArray();
        int rule = layer == null ? LayerLayout.AUTO
                : indexBits.resolve(layer).map(LayerRules.Resolved::value).orElse(LayerLayout.AUTO);
        Int8Layout layout = Int8Layout.choose(values, weight.dims(), quantization, huffman, HuffmanCode.DEFAULT_LENGTH_LIMIT,
                rule);
        LayerOptions options = new LayerOptions(layout.sparse(), layout.sparse() ? layout.relativeIndexBits() : 8,
                layout.huffman(), HuffmanCode.DEFAULT_LENGTH_LIMIT);
        EncodedLayer encoded = Int8Codec.encode(values, weight.dims(), quantization, options);
        String what = layer == null ? "tensor '" + weight.name() + "'" : layer.describe();
        if (encoded.byteSize() != layout.bytes()) {
            throw new IllegalStateException(what + ": the int8 layout planner predicted " + layout.bytes()
                    + " bytes, the encoding has " + encoded.byteSize());
        }
        DczTensor tensor = DczTensor.int8(weight.name(), weight.dims(), encoded);
        TensorReport row = new TensorReport(weight.name(), layer == null ? "" : layer.name(),
                layer == null ? "" : layer.opType(), 0, layout.relativeIndexBits(), tensor.encoding(), encoded.sizes());
        return new Encoded(tensor, row);
    }

    /**
     * The weight layers of a QDQ graph: a Conv, Gemm or MatMul whose input 1 is the output of a
     * DequantizeLinear reading an INT8 or UINT8 initializer, named as {@link WeightLayer#of} names
     * fp32 ones (the node's name, else the weight's), so that the same rules apply.
     */
    static List<WeightLayer> int8Layers(Graph graph) {
        Map<String, Node> producers = graph.producers();
        List<WeightLayer> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Node node : graph.nodes()) {
            if (!node.isDefaultDomain()) {
                continue;
            }
            WeightLayer.Kind kind = switch (node.opType()) {
                case "Conv" -> WeightLayer.Kind.CONV;
                case "Gemm", "MatMul" -> WeightLayer.Kind.FC;
                default -> null;
            };
            Node dq = kind == null ? null : node.input(1).map(producers::get).orElse(null);
            if (dq == null || !dq.isDefaultDomain() || !dq.opType().equals("DequantizeLinear")) {
                continue;
            }
            Tensor weight = dq.input(0).flatMap(graph::initializer).orElse(null);
            if (weight == null || (weight.dtype() != DataType.INT8 && weight.dtype() != DataType.UINT8)
                    || !seen.add(weight.name())) {
                continue;
            }
            out.add(new WeightLayer(node.name().isEmpty() ? weight.name() : node.name(), node, kind, weight));
        }
        return List.copyOf(out);
    }

    /**
     * The fp32 initializers that only QuantizeLinear and DequantizeLinear nodes read, as their scale:
     * a few bytes each, they stay inline in the graph entry (deflated there) rather than each paying
     * for a tensor entry, and they are where a reader checks an int8 entry's scales against.
     */
    static Set<String> quantizationScales(Graph graph) {
        Map<String, List<Node>> consumers = graph.consumers();
        Set<String> out = new HashSet<>();
        for (Tensor t : graph.initializers().values()) {
            List<Node> readers = consumers.getOrDefault(t.name(), List.of());
            boolean onlyScale = !readers.isEmpty() && readers.stream().allMatch(n -> n.isDefaultDomain()
                    && (n.opType().equals("QuantizeLinear") || n.opType().equals("DequantizeLinear"))
                    && n.inputs().indexOf(t.name()) == 1 && n.inputs().lastIndexOf(t.name()) == 1);
            if (t.dtype() == DataType.FLOAT && onlyScale) {
                out.add(t.name());
            }
        }
        return out;
    }

    /** What the manifest records: the preset, each stage's switch, and per layer its rule, bits and index width. */
    private Map<String, String> settings(List<WeightLayer> layers, PruneResult pruning, SharingResult sharing) {
        Map<String, String> s = new TreeMap<>();
        s.put("preset", presetLabel);
        s.put("foldBatchNorm", Boolean.toString(foldBatchNorm));
        s.put("huffman", Boolean.toString(huffman));
        s.put("prune", pruning == null ? "off" : "on");
        s.put("share", sharing == null ? "off" : "on (k-means, " + sharer.init().name().toLowerCase(java.util.Locale.ROOT)
                + " init)");
        if (quantization != null) {
            s.put("quantize", "int8");
        }
        if (pruning != null) {
            for (LayerPruning l : pruning.layers()) {
                s.put("prune." + l.layer(), l.criterion().map(Object::toString).orElse("keep all"));
            }
        }
        if (sharing != null) {
            for (WeightSharing l : sharing.layers()) {
                s.put("bits." + l.layer(), Integer.toString(l.bits()));
            }
        }
        for (WeightLayer l : layers) {
            indexBits.resolve(l).ifPresent(r -> s.put("indexBits." + l.name(),
                    r.value() == AUTO_INDEX_BITS ? "auto" : r.value().toString()));
        }
        return s;
    }

    private static long lap(Map<String, Double> phases, String phase, long since) {
        long now = System.nanoTime();
        phases.put(phase, (now - since) / 1e6);
        return now;
    }

    @Override
    public String toString() {
        return "CompressionPipeline[preset " + presetLabel + ", fold BN " + foldBatchNorm + ", pruner " + pruner
                + ", sharer " + sharer + (quantization == null ? "" : ", int8 quantization") + ", huffman " + huffman
                + ", index bits " + indexBits + "]";
    }
}
