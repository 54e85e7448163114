package io.clipstream.security;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Captures everything this JVM logs or prints while open: every logback event reaching the root logger (message,
 * arguments formatted, MDC, key-value pairs, and each exception's class and message down the cause chain), plus
 * whatever is written to {@code System.out} and {@code System.err} (which includes logback's console output with
 * full stack traces). Some loggers can be made more verbose for the duration, so that Kafka's client
 * configuration dumps ({@code ProducerConfig values: ...}) are part of what is checked.
 */
final class LogCapture implements AutoCloseable {

    private final LoggerContext context;
    private final Logger root;
    private final Appender appender = new Appender();
    private final Map<Logger, Level> savedLevels = new LinkedHashMap<>();
    private final PrintStream savedOut = System.out;
    private final PrintStream savedErr = System.err;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private boolean closed;

    private LogCapture(Map<String, Level> levels) {
        context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        levels.forEach((name, level) -> {
            Logger logger = context.getLogger(name);
            savedLevels.put(logger, logger.getLevel());
            logger.setLevel(level);
        });
        appender.setContext(context);
        appender.setName("secret-leak-capture");
        appender.start();
        root.addAppender(appender);
        System.setOut(new PrintStream(new Tee(savedOut, raw), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(savedErr, raw), true, StandardCharsets.UTF_8));
    }

    /** Starts capturing, with the given loggers set to the given levels until {@link #close()}. */
    static LogCapture start(Map<String, Level> levels) {
        return new LogCapture(levels);
    }

    /** How many logging events were captured. */
    int events() {
        return appender.count();
    }

    /** Everything captured so far, events first, then the raw console output. */
    String text() {
        return appender.text() + "\n" + raw.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        System.out.flush();
        System.err.flush();
        System.setOut(savedOut);
        System.setErr(savedErr);
        root.detachAppender(appender);
        appender.stop();
        savedLevels.forEach(Logger::setLevel);
    }

    private static final class Appender extends AppenderBase<ILoggingEvent> {
        private final StringBuilder text = new StringBuilder();
        private int count;

        @Override
        protected synchronized void append(ILoggingEvent event) {
            count++;
            text.append(event.getLevel())
                    .append(' ')
                    .append(event.getLoggerName())
                    .append(" [")
                    .append(event.getThreadName())
                    .append("] ")
                    .append(event.getFormattedMessage());
            if (event.getArgumentArray() != null) {
                for (Object argument : event.getArgumentArray()) {
                    text.append(" | arg: ").append(argument);
                }
            }
            if (event.getMDCPropertyMap() != null && !event.getMDCPropertyMap().isEmpty()) {
                text.append(" | mdc: ").append(event.getMDCPropertyMap());
            }
            if (event.getKeyValuePairs() != null && !event.getKeyValuePairs().isEmpty()) {
                text.append(" | kv: ").append(event.getKeyValuePairs());
            }
            text.append('\n');
            appendThrowable(event.getThrowableProxy(), 0);
        }

        private void appendThrowable(IThrowableProxy proxy, int depth) {
            if (proxy == null || depth > 20) {
                return;
            }
            text.append("  caused by ")
                    .append(proxy.getClassName())
                    .append(": ")
                    .append(proxy.getMessage())
                    .append('\n');
            for (IThrowableProxy suppressed : proxy.getSuppressed()) {
                appendThrowable(suppressed, depth + 1);
            }
            appendThrowable(proxy.getCause(), depth + 1);
        }

        synchronized int count() {
            return count;
        }

        synchronized String text() {
            return text.toString();
        }
    }

    /** Writes to the original stream and to the capture. */
    private static final class Tee extends OutputStream {
        private final OutputStream original;
        private final OutputStream copy;

        Tee(OutputStream original, OutputStream copy) {
            this.original = original;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            original.write(b);
            copy.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            original.write(b, off, len);
            copy.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            original.flush();
        }
    }

    /** The secrets found in {@code text}, each with a little context; empty when none is there. */
    static List<String> leaks(String where, String text, Map<String, String> secrets) {
        List<String> found = new ArrayList<>();
        secrets.forEach((name, secret) -> {
            int at = text.indexOf(secret);
            if (at >= 0) {
                int from = Math.max(0, at - 200);
                found.add(where + " shows the " + name + ": ..."
                        + text.substring(from, at).replace('\n', ' ') + "<<SECRET>>");
            }
        });
        return found;
    }
}
