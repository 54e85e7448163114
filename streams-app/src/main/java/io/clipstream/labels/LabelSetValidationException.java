package io.clipstream.labels;

import java.util.List;

/** A label-set file that is not valid; each error reads {@code file:line: path: message}. */
public final class LabelSetValidationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> errors;

    public LabelSetValidationException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    /** Every error found, in file order. */
    public List<String> errors() {
        return errors;
    }
}
