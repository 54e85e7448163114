package io.clipstream.labels;

/**
 * One thing wrong with a label-set file, where it is.
 *
 * @param source the file name
 * @param line the 1-based line it is at
 * @param path the key path in the document ({@code labels[3].group}); empty for the whole file
 * @param message what is wrong
 */
public record LabelSetProblem(String source, int line, String path, String message) {

    /** {@code file:line: path: message}, as the validator prints it. */
    @Override
    public String toString() {
        return source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
