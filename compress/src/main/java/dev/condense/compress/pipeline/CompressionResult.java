// What the compression pipeline produced: the model the archive decodes to, the archive, the report and each stage's result.
package dev.condense.compress.pipeline;

import dev.condense.compress.dcz.DczArchive;
import dev.condense.ir.Model;
import dev.condense.prune.PruneResult;
import dev.condense.quantize.sharing.SharingResult;

import java.util.Objects;
import java.util.Optional;

/**
 * @param model   the pruned and shared (or pruned and int8-quantized) model: what {@code archive} decodes to,
 *                value for value
 * @param archive the DCZ container, ready for {@code DczWriter.write}
 * @param report  sizes per layer and in total
 * @param pruning the pruning stage's masks, empty when it was skipped
 * @param sharing the sharing stage's codebooks, empty when it was skipped
 */
public record CompressionResult(Model model, DczArchive archive, CompressionReport report, Optional<PruneResult> pruning,
                                Optional<SharingResult> sharing) {

    public CompressionResult {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(archive, "archive");
        Objects.requireNonNull(report, "report");
        Objects.requireNonNull(pruning, "pruning");
        Objects.requireNonNull(sharing, "sharing");
    }

    public CompressionResult withReport(CompressionReport newReport) {
        return new CompressionResult(model, archive, newReport, pruning, sharing);
    }
}
