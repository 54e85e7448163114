package io.clipstream.labels;

import java.util.List;

/** A label-set file that is not valid; {@link #problems()} says what and where. */
public final class LabelSetValidationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<LabelSetProblem> problems;

    public LabelSetValidationException(List<LabelSetProblem> problems) {
        super(String.join("\n", problems.stream().map(LabelSetProblem::toString).toList()));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in file order. */
    public List<LabelSetProblem> problems() {
        return problems;
    }

    /** Every problem as {@code file:line: path: message}, in file order. */
    public List<String> errors() {
        return problems.stream().map(LabelSetProblem::toString).toList();
    }
}
