package io.clipstream.review;

import java.util.List;
import java.util.Locale;

/**
 * A small server-side SVG chart of precision over time: one point per day at the cumulative precision, with its
 * 95 % Wilson interval as a shaded band. Drawn by hand: a few dozen lines of SVG, no script, nothing to load.
 */
final class QualityChart {

    private static final int WIDTH = 420;
    private static final int HEIGHT = 140;
    private static final int PAD = 28;

    private QualityChart() {}

    static String svg(List<QualityReport.Day> days) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" role=\"img\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\">")
                .append("<title>Precision over time with its 95% Wilson interval</title>");
        for (double level : new double[] {0, 0.5, 1}) {
            double y = y(level);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>"
                            + "<text x=\"2\" y=\"%.1f\" class=\"axis\">%.0f%%</text>",
                    PAD,
                    y,
                    WIDTH - 4,
                    y,
                    y + 4,
                    level * 100));
        }
        if (days.isEmpty()) {
            return svg.append("</svg>").toString();
        }
        StringBuilder band = new StringBuilder();
        StringBuilder line = new StringBuilder();
        StringBuilder upper = new StringBuilder();
        StringBuilder lower = new StringBuilder();
        for (int i = 0; i < days.size(); i++) {
            Precision p = days.get(i).cumulative();
            double x = x(i, days.size());
            upper.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(p.high())));
            lower.insert(0, String.format(Locale.ROOT, "%.1f,%.1f ", x, y(p.low())));
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y(p.decided() == 0 ? 0 : p.value())));
        }
        band.append(upper).append(lower);
        svg.append("<polygon class=\"band\" points=\"")
                .append(band.toString().trim())
                .append("\"/>");
        svg.append("<polyline class=\"line\" points=\"")
                .append(line.toString().trim())
                .append("\"/>");
        for (int i = 0; i < days.size(); i++) {
            QualityReport.Day day = days.get(i);
            Precision p = day.cumulative();
            svg.append(String.format(
                    Locale.ROOT,
                    "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\"" + " y2=\"%.1f\"/>",
                    x(i, days.size()),
                    y(p.high()),
                    x(i, days.size()),
                    y(p.low())));
            svg.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" class=\"point\">"
                            + "<title>%s: %d of %d confirmed (%.1f%%, 95%% %.1f-%.1f%%)</title></circle>",
                    x(i, days.size()),
                    y(p.value()),
                    day.date(),
                    p.confirmed(),
                    p.decided(),
                    p.value() * 100,
                    p.low() * 100,
                    p.high() * 100));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" class=\"axis\">%s</text>",
                PAD,
                HEIGHT - 2,
                days.get(0).date()));
        if (days.size() > 1) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"end\">%s" + "</text>",
                    WIDTH - 4,
                    HEIGHT - 2,
                    days.get(days.size() - 1).date()));
        }
        return svg.append("</svg>").toString();
    }

    private static double x(int i, int n) {
        return n == 1 ? (PAD + WIDTH) / 2.0 : PAD + 8 + (WIDTH - PAD - 20) * (double) i / (n - 1);
    }

    private static double y(double value) {
        return 8 + (HEIGHT - 30) * (1 - value);
    }
}
