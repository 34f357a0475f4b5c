// The results of one model: its uncompressed reference, its compressed configurations and their Pareto frontier.
package dev.condense.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The lines of one model. The frontier is taken over the compressed configurations only: the reference is drawn
 * apart, as the line the others are measured against.
 *
 * @param reference      the uncompressed model's line, when the sweep wrote one
 * @param configurations every other line, in file order
 */
public record ModelSweep(SweepResult.ModelInfo model, SweepResult.DatasetInfo dataset,
                         Optional<SweepResult> reference, List<SweepResult> configurations,
                         List<SweepResult> frontier) {

    /** Top-1 drop, in percentage points, the default choice of configuration may cost. */
    public static final double CHOSEN_MAX_DROP_POINTS = 1.0;

    /** Top-1 drop, in percentage points, the summary's "best ratio" may cost. */
    public static final double SUMMARY_MAX_DROP_POINTS = 0.5;

    public ModelSweep {
        configurations = List.copyOf(configurations);
        frontier = List.copyOf(frontier);
    }

    static ModelSweep of(List<SweepResult> lines) {
        SweepResult first = lines.getFirst();
        Optional<SweepResult> reference = lines.stream().filter(SweepResult::reference).findFirst();
        List<SweepResult> configurations = lines.stream().filter(l -> !l.reference()).toList();
        SweepResult.DatasetInfo dataset = reference.map(SweepResult::dataset).orElse(first.dataset());
        return new ModelSweep(first.model(), dataset, reference, configurations, Pareto.frontier(configurations));
    }

    /** The reference (when present) followed by the configurations. */
    public List<SweepResult> lines() {
        List<SweepResult> all = new ArrayList<>();
        reference.ifPresent(all::add);
        all.addAll(configurations);
        return all;
    }

    public boolean onFrontier(SweepResult line) {
        return frontier.contains(line);
    }

    public Set<String> frontierKeys() {
        return frontier.stream().map(SweepResult::key).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The configuration whose layers the report details by default: the frontier configuration with the highest
     * ratio among those within {@value #CHOSEN_MAX_DROP_POINTS} point of the reference's top-1, else the smallest
     * configuration; the reference itself when there is nothing else.
     */
    public SweepResult defaultChoice() {
        if (configurations.isEmpty()) {
            return reference.orElseThrow();
        }
        return bestRatioWithin(CHOSEN_MAX_DROP_POINTS).orElse(frontier.getFirst());
    }

    /** The frontier configuration with the highest ratio whose top-1 drop is at most {@code points}. */
    public Optional<SweepResult> bestRatioWithin(double points) {
        if (reference.isEmpty()) {
            return Optional.empty();
        }
        SweepResult ref = reference.get();
        return frontier.stream()
                .filter(c -> c.top1DropPoints(ref) <= points + 1e-9)
                .max(Comparator.comparingDouble(SweepResult::ratio)
                        .thenComparing(Comparator.comparingLong(SweepResult::bytes).reversed()));
    }

    /** The lines whose label or key is {@code selector}. */
    public List<SweepResult> matching(String selector) {
        return lines().stream().filter(l -> l.label().equals(selector) || l.key().equals(selector)).toList();
    }

    /** " on fashion-mnist test (10,000 images)", as far as the file says; empty when it names no dataset. */
    public String datasetDescription() {
        StringBuilder b = new StringBuilder();
        if (!dataset.name().isEmpty()) {
            b.append(" on ").append(dataset.name());
            if (!dataset.split().isEmpty()) {
                b.append(' ').append(dataset.split());
            }
            if (dataset.images() > 0) {
                b.append(" (").append(Units.count(dataset.images())).append(" images)");
            }
        }
        return b.toString();
    }

    /** One paragraph: the model and data, how many configurations, the best ratio at a small drop, the smallest. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(model.name()).append(" (").append(Units.bytes(model.bytes())).append(')');
        b.append(datasetDescription()).append(": ").append(configurations.size()).append(" compressed configuration")
                .append(configurations.size() == 1 ? "" : "s");
        reference.ifPresentOrElse(
                r -> b.append(" and the uncompressed reference (top-1 ").append(Units.percent(r.top1())).append(')'),
                () -> b.append(" and no uncompressed reference line"));
        b.append(", ").append(frontier.size()).append(" of them on the Pareto frontier.");
        if (reference.isPresent()) {
            Optional<SweepResult> best = bestRatioWithin(SUMMARY_MAX_DROP_POINTS);
            if (best.isPresent()) {
                b.append(" Best ratio within ").append(SUMMARY_MAX_DROP_POINTS).append(" point of the reference's top-1: ")
                        .append(describe(best.get())).append('.');
            } else {
                b.append(" No configuration stays within ").append(SUMMARY_MAX_DROP_POINTS)
                        .append(" point of the reference's top-1.");
            }
        } else {
            b.append(" Without a reference, accuracy drops are unknown.");
        }
        if (!frontier.isEmpty()) {
            b.append(" Smallest: ").append(describe(frontier.getFirst())).append('.');
        }
        double seconds = lines().stream().mapToDouble(SweepResult::seconds).filter(s -> !Double.isNaN(s)).sum();
        if (seconds > 0) {
            b.append(String.format(Locale.ROOT, " The sweep took %.0f s.", seconds));
        }
        return b.toString();
    }

    private String describe(SweepResult c) {
        String drop = reference.map(r -> String.format(Locale.ROOT, ", %+.2f points",
                -c.top1DropPoints(r))).orElse("");
        return Units.ratio(c.ratio()) + " (" + c.label() + ", " + Units.bytes(c.bytes()) + ", top-1 "
                + Units.percent(c.top1()) + drop + ")";
    }
}
