package io.clipstream.review;

import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewVerdict;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Review quality per policy and label-set version, from each flag's standing decision. */
public final class QualityReport {

    /** One policy at one label-set version. */
    public record Row(
            String policyId,
            String labelSetVersion,
            int reviewed,
            int escalated,
            Precision precision,
            List<Day> days) {}

    /** The decisions of one day (UTC) and the precision of every decision up to and including it. */
    public record Day(LocalDate date, Precision thatDay, Precision cumulative) {}

    private QualityReport() {}

    /** The rows, sorted by policy then version, from each flag's last accepted decision. */
    public static List<Row> of(Iterable<ReviewDecision> standing) {
        Map<List<String>, List<ReviewDecision>> groups = new TreeMap<>((a, b) -> {
            int c = a.get(0).compareTo(b.get(0));
            return c != 0 ? c : a.get(1).compareTo(b.get(1));
        });
        for (ReviewDecision d : standing) {
            if (d.getDecision() == ReviewVerdict.UNDONE) {
                continue;
            }
            groups.computeIfAbsent(List.of(d.getPolicyId(), d.getLabelSetVersion()), k -> new ArrayList<>())
                    .add(d);
        }
        List<Row> rows = new ArrayList<>();
        groups.forEach((key, decisions) -> rows.add(row(key.get(0), key.get(1), decisions)));
        return rows;
    }

    private static Row row(String policyId, String version, List<ReviewDecision> decisions) {
        int confirmed = 0;
        int overturned = 0;
        int escalated = 0;
        TreeMap<LocalDate, int[]> byDay = new TreeMap<>();
        for (ReviewDecision d : decisions) {
            int[] day = byDay.computeIfAbsent(
                    d.getDecidedAt().atZone(ZoneOffset.UTC).toLocalDate(), k -> new int[2]);
            switch (d.getDecision()) {
                case CONFIRMED -> {
                    confirmed++;
                    day[0]++;
                }
                case OVERTURNED -> {
                    overturned++;
                    day[1]++;
                }
                default -> escalated++;
            }
        }
        List<Day> days = new ArrayList<>();
        int c = 0;
        int o = 0;
        for (Map.Entry<LocalDate, int[]> e : byDay.entrySet()) {
            c += e.getValue()[0];
            o += e.getValue()[1];
            days.add(new Day(e.getKey(), new Precision(e.getValue()[0], e.getValue()[1]), new Precision(c, o)));
        }
        return new Row(policyId, version, decisions.size(), escalated, new Precision(confirmed, overturned), days);
    }
}
