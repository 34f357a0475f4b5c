// What a report shows, gathered from one or more results files: the models, the chosen configurations, the backends.
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The content every renderer draws from.
 *
 * @param chosen   per model (same order as {@code models}), the configuration whose layers are detailed; a model
 *                 has none when {@code --config} named a configuration of another model only
 * @param backends every backend with a latency in any line, in first-seen order
 * @param notes    warnings for the reader (an ignored interrupted line, a missing reference)
 */
public record Report(String title, List<ModelSweep> models, List<Optional<SweepResult>> chosen, List<String> backends,
                     List<String> notes) {

    public Report {
        models = List.copyOf(models);
        chosen = List.copyOf(chosen);
        backends = List.copyOf(backends);
        notes = List.copyOf(notes);
    }

    /**
     * Groups the files' lines by model and picks the configuration to detail.
     *
     * @param config a label or key to detail, or null for each model's {@link ModelSweep#defaultChoice()}
     * @param title  the page title, or null for one naming the model(s)
     */
    public static Report of(List<ResultsReader.ResultsFile> files, String config, String title)
            throws ResultsFileException {
        Map<String, List<SweepResult>> byModel = new LinkedHashMap<>();
        Map<String, SweepResult> byKey = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (ResultsReader.ResultsFile file : files) {
            notes.addAll(file.warnings());
            for (SweepResult line : file.results()) {
                SweepResult earlier = byKey.putIfAbsent(line.model().name() + "\n" + line.key(), line);
                if (earlier != null) {
                    throw new ResultsFileException(line.source() + " repeats the configuration \"" + line.key()
                            + "\" of " + line.model().name() + " already read from " + earlier.source());
                }
                if (line.reference()) {
                    Optional<SweepResult> other = byModel.getOrDefault(line.model().name(), List.of()).stream()
                            .filter(SweepResult::reference).findFirst();
                    if (other.isPresent()) {
                        throw new ResultsFileException(line.source() + " is a second reference line for "
                                + line.model().name() + " (the first: " + other.get().source() + ")");
                    }
                }
                byModel.computeIfAbsent(line.model().name(), k -> new ArrayList<>()).add(line);
            }
        }
        List<ModelSweep> models = byModel.values().stream().map(ModelSweep::of).toList();
        for (ModelSweep m : models) {
            if (m.reference().isEmpty()) {
                notes.add("no reference (uncompressed) line for " + m.model().name()
                        + ": accuracy drops and the reference line are not shown");
            }
        }
        List<Optional<SweepResult>> chosen = new ArrayList<>();
        if (config == null) {
            models.forEach(m -> chosen.add(Optional.of(m.defaultChoice())));
        } else {
            boolean any = false;
            for (ModelSweep m : models) {
                List<SweepResult> matches = m.matching(config);
                any |= !matches.isEmpty();
                chosen.add(matches.stream().findFirst());
            }
            if (!any) {
                throw new ResultsFileException("--config \"" + config + "\" names no configuration; the labels are "
                        + labels(models));
            }
        }
        LinkedHashSet<String> backends = new LinkedHashSet<>();
        models.forEach(m -> m.lines().forEach(l -> backends.addAll(l.latencyMs().keySet())));
        return new Report(title != null ? title : defaultTitle(models), models, chosen, List.copyOf(backends), notes);
    }

    private static String labels(List<ModelSweep> models) {
        List<String> parts = new ArrayList<>();
        for (ModelSweep m : models) {
            String labels = String.join(", ", m.lines().stream().map(SweepResult::label).toList());
            parts.add(models.size() > 1 ? m.model().name() + ": " + labels : labels);
        }
        return String.join("; ", parts);
    }

    private static String defaultTitle(List<ModelSweep> models) {
        if (models.size() == 1) {
            ModelSweep m = models.getFirst();
            return "Compression sweep: " + m.model().name()
                    + (m.dataset().name().isEmpty() ? "" : " on " + m.dataset().name());
        }
        return "Compression sweep: " + String.join(", ", models.stream().map(m -> m.model().name()).toList());
    }

    /** True when any line has a latency. */
    public boolean hasLatency() {
        return !backends.isEmpty();
    }
}
