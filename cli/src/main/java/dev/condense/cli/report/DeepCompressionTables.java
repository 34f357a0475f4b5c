// The report's tables in the layouts of the Deep Compression paper: Table 1 (stages summary) and Tables 2-5 (per layer).
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the tables once for every renderer. Column meanings follow Han, Mao and Dally (ICLR 2016): P pruning,
 * Q quantization (weight sharing), H Huffman coding. Errors are 100% minus accuracy.
 */
final class DeepCompressionTables {

    static final String PARETO_MARK = "yes";

    private DeepCompressionTables() {
    }

    /** Table 1: Configuration | Top-1 error | Top-5 error | Size | Compression rate, then latency per backend. */
    static Table summary(ModelSweep sweep, List<String> backends) {
        List<String> header = new ArrayList<>(List.of("Configuration", "Top-1 error", "Top-5 error", "Size",
                "Compression rate"));
        List<Boolean> numeric = new ArrayList<>(List.of(false, true, true, true, true));
        for (String backend : backends) {
            header.add("Latency " + backend + " (ms)");
            numeric.add(true);
        }
        header.add("Pareto");
        numeric.add(false);
        List<Table.Row> rows = new ArrayList<>();
        for (SweepResult line : sweep.lines()) {
            List<String> cells = new ArrayList<>(List.of(line.reference() ? line.label() + " (reference)" : line.label(),
                    error(line.top1()), error(line.top5()), Units.bytes(line.bytes()), Units.ratio(line.ratio())));
            for (String backend : backends) {
                cells.add(Units.millis(line.latency(backend).orElse(Double.NaN)));
            }
            boolean frontier = sweep.onFrontier(line);
            cells.add(frontier ? PARETO_MARK : "");
            rows.add(new Table.Row(cells, line.reference() ? Table.Role.REFERENCE
                    : frontier ? Table.Role.FRONTIER : Table.Role.PLAIN));
        }
        return new Table("summary", "Stage-by-stage summary of " + sweep.model().name()
                + " (layout of the paper's Table 1)", header, numeric, rows);
    }

    /** Tables 2-5: per weight layer of one configuration, and a Total row. */
    static Table layers(SweepResult configuration) {
        List<String> header = List.of("Layer", "#Weights", "Weights% (P)", "Weight bits (P+Q)", "Weight bits (P+Q+H)",
                "Index bits (P+Q)", "Index bits (P+Q+H)", "Compress rate (P+Q)", "Compress rate (P+Q+H)");
        List<Boolean> numeric = List.of(false, true, true, true, true, true, true, true, true);
        List<Table.Row> rows = new ArrayList<>();
        for (LayerResult l : configuration.layers()) {
            rows.add(new Table.Row(List.of(l.layer(), Units.count(l.weights()), Units.decimal(l.keptPercent(), 1) + "%",
                    Units.bits(l.weightBitsFixed()), Units.bits(l.weightBitsStored()), Units.bits(l.indexBitsFixed()),
                    Units.bits(l.indexBitsStored()), Units.ratio(l.fixedWidthRatio()), Units.ratio(l.storedRatio())),
                    Table.Role.PLAIN));
        }
        LayerTotals t = LayerTotals.of(configuration.layers());
        rows.add(new Table.Row(List.of("Total", Units.count(t.weights()), Units.decimal(t.keptPercent(), 1) + "%",
                Units.bits(t.weightBitsFixed()), Units.bits(t.weightBitsStored()), Units.bits(t.indexBitsFixed()),
                Units.bits(t.indexBitsStored()), Units.ratio(t.fixedWidthRatio()), Units.ratio(t.storedRatio())),
                Table.Role.TOTAL));
        return new Table("layers", "Per-layer compression of " + configuration.label() + " (layout of the paper's Tables 2-5)",
                header, numeric, rows);
    }

    /** Accuracy after each pipeline stage, for the lines that recorded stages; null when none did. */
    static Table stages(ModelSweep sweep) {
        List<Table.Row> rows = new ArrayList<>();
        for (SweepResult line : sweep.lines()) {
            for (SweepResult.StageAccuracy s : line.stages()) {
                rows.add(new Table.Row(List.of(line.label(), s.stage(), Units.percent(s.top1()), Units.percent(s.top5())),
                        Table.Role.PLAIN));
            }
        }
        if (rows.isEmpty()) {
            return null;
        }
        return new Table("stages", "Accuracy after each stage of the pipeline", List.of("Configuration", "Stage",
                "Top-1", "Top-5"), List.of(false, false, true, true), rows);
    }

    private static String error(double accuracy) {
        return Double.isNaN(accuracy) ? "–" : Units.percent(1 - accuracy);
    }

    /**
     * The Total row: counts summed, bit widths averaged over stored entries (the bits actually spent per entry), and
     * the rates taken over the summed bytes.
     */
    record LayerTotals(long weights, long kept, double weightBitsFixed, double weightBitsStored, double indexBitsFixed,
                       double indexBitsStored, double fixedWidthRatio, double storedRatio) {

        static LayerTotals of(List<LayerResult> layers) {
            long weights = 0;
            long kept = 0;
            long entries = 0;
            double wf = 0;
            double ws = 0;
            double xf = 0;
            double xs = 0;
            double before = 0;
            double fixedBytes = 0;
            double after = 0;
            for (LayerResult l : layers) {
                weights += l.weights();
                kept += l.kept();
                entries += l.entries();
                wf += l.entries() * l.weightBitsFixed();
                ws += l.entries() * l.weightBitsStored();
                xf += l.entries() * l.indexBitsFixed();
                xs += l.entries() * l.indexBitsStored();
                before += l.bytesBefore();
                fixedBytes += l.fixedWidthBytes();
                after += l.bytesAfter();
            }
            double n = entries == 0 ? Double.NaN : entries;
            return new LayerTotals(weights, kept, wf / n, ws / n, xf / n, xs / n,
                    fixedBytes == 0 ? Double.NaN : before / fixedBytes, after == 0 ? Double.NaN : before / after);
        }

        double keptPercent() {
            return weights == 0 ? Double.NaN : 100.0 * kept / weights;
        }
    }
}
