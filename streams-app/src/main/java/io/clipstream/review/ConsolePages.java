package io.clipstream.review;

import static io.clipstream.review.Html.esc;
import static io.clipstream.review.Html.url;

import io.clipstream.schema.MatchedLabel;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/** The console's server-rendered pages. */
final class ConsolePages {

    /** The queue's filters and order, from the query string. */
    record Filter(String policy, String source, String version, boolean bySeverity, boolean all) {
        boolean accepts(ReviewItem item, PolicyFlag flag, ReviewDecision decision) {
            return (policy.isEmpty() || policy.equals(flag.getPolicyId()))
                    && (source.isEmpty() || source.equals(item.getSource()))
                    && (version.isEmpty() || version.equals(flag.getLabelSetVersion()))
                    && (all || !DecisionLedger.isDecided(decision));
        }
    }

    /** One card: a flag of an item and its standing decision. */
    record Card(ReviewItem item, PolicyFlag flag, ReviewDecision decision) {
        String key() {
            return DecisionLedger.key(item.getEventId(), flag.getPolicyId());
        }
    }

    private ConsolePages() {}

    static String layout(String title, ConsoleSessions.Session session, String body) {
        StringBuilder out = new StringBuilder(
                        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">" + "<title>")
                .append(esc(title))
                .append(" · ClipStream review</title>"
                        + "<link rel=\"stylesheet\" href=\"/static/console.css\"><script src=\"/static/console.js\" defer>"
                        + "</script></head><body><header><strong>ClipStream review</strong>");
        if (session != null) {
            out.append("<nav><a href=\"/\">Queue</a> <a href=\"/quality\">Quality</a></nav><span class=\"who\">")
                    .append(esc(session.user().name()))
                    .append(" · ")
                    .append(session.user().role().name().toLowerCase(Locale.ROOT))
                    .append("</span><form method=\"post\" action=\"/logout\" class=\"inline\">")
                    .append(csrf(session))
                    .append("<button>Log out</button></form>");
        }
        return out.append("</header><main>")
                .append(body)
                .append("</main></body></html>")
                .toString();
    }

    static String csrf(ConsoleSessions.Session session) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(session.csrf()) + "\">";
    }

    static String login(String loginToken, String message) {
        return layout(
                "Log in",
                null,
                "<form method=\"post\" action=\"/login\" class=\"login\"><h1>Log in</h1>"
                        + (message == null ? "" : "<p class=\"error\" id=\"login-error\">" + esc(message) + "</p>")
                        + "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(loginToken) + "\">"
                        + "<label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required></label>"
                        + "<label>Password <input name=\"password\" id=\"password\" type=\"password\""
                        + " autocomplete=\"current-password\" required></label><button id=\"login\">Log in</button></form>");
    }

    static List<Card> cards(ReviewState state, Filter filter) {
        List<Card> cards = new java.util.ArrayList<>();
        for (ReviewItem item : state.items()) {
            for (PolicyFlag flag : item.getFlags()) {
                ReviewDecision d = state.decision(DecisionLedger.key(item.getEventId(), flag.getPolicyId()));
                if (filter.accepts(item, flag, d)) {
                    cards.add(new Card(item, flag, d));
                }
            }
        }
        Comparator<Card> newest = Comparator.comparing((Card c) -> c.item().getCreatedAt())
                .reversed()
                .thenComparing(Card::key);
        cards.sort(
                filter.bySeverity()
                        ? Comparator.comparing(
                                        (Card c) -> c.flag().getSeverity().ordinal())
                                .reversed()
                                .thenComparing(newest)
                        : newest);
        return cards;
    }

    static String queue(ConsoleSessions.Session session, ReviewState state, Filter filter, String notice) {
        List<Card> cards = cards(state, filter);
        TreeSet<String> policies = new TreeSet<>();
        TreeSet<String> sources = new TreeSet<>();
        TreeSet<String> versions = new TreeSet<>();
        for (ReviewItem item : state.items()) {
            sources.add(item.getSource());
            item.getFlags().forEach(f -> {
                policies.add(f.getPolicyId());
                versions.add(f.getLabelSetVersion());
            });
        }
        boolean decides = session.user().role().allows(Role.MODERATOR);
        StringBuilder out = new StringBuilder();
        if (notice != null) {
            out.append("<p class=\"notice\" id=\"notice\">").append(esc(notice)).append("</p>");
        }
        out.append("<form method=\"get\" action=\"/\" class=\"filters\">")
                .append(select("policy", "Policy", policies, filter.policy()))
                .append(select("source", "Source", sources, filter.source()))
                .append(select("version", "Label-set version", versions, filter.version()))
                .append("<label>Order <select name=\"order\"><option value=\"newest\">newest first</option>"
                        + "<option value=\"severity\"")
                .append(filter.bySeverity() ? " selected" : "")
                .append(">highest severity first</option></select></label><label><input type=\"checkbox\""
                        + " name=\"all\" value=\"1\"")
                .append(filter.all() ? " checked" : "")
                .append("> decided too</label><button>Apply</button></form>");
        out.append("<p class=\"help\">Keys: <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>v</kbd> reveal, <kbd>x</kbd> select,"
                        + " <kbd>y</kbd> confirm, <kbd>n</kbd> overturn, <kbd>e</kbd> escalate, <kbd>u</kbd> undo. ")
                .append(cards.size())
                .append(" flag(s).</p>");
        if (decides) {
            out.append("<form method=\"post\" action=\"/decide/bulk\" id=\"bulk\" class=\"bulk\">")
                    .append(csrf(session))
                    .append("<button name=\"decision\" value=\"CONFIRMED\">Confirm selected</button>"
                            + "<button name=\"decision\" value=\"OVERTURNED\">Overturn selected</button></form>");
        }
        out.append("<section id=\"queue\">");
        for (Card card : cards) {
            out.append(card(session, card));
        }
        return layout("Queue", session, out.append("</section>").toString());
    }

    private static String select(String name, String label, TreeSet<String> values, String chosen) {
        StringBuilder out = new StringBuilder("<label>")
                .append(label)
                .append(" <select name=\"")
                .append(name)
                .append("\"><option value=\"\">all</option>");
        for (String v : values) {
            out.append("<option value=\"")
                    .append(esc(v))
                    .append('"')
                    .append(!chosen.isEmpty() && v.equals(chosen) ? " selected" : "")
                    .append('>')
                    .append(esc(v.isEmpty() ? "(none)" : v))
                    .append("</option>");
        }
        return out.append("</select></label>").toString();
    }

    private static String card(ConsoleSessions.Session session, Card card) {
        ReviewItem item = card.item();
        PolicyFlag flag = card.flag();
        ReviewDecision d = card.decision();
        int revision = DecisionLedger.nextRevision(d);
        StringBuilder out = new StringBuilder("<article class=\"card\" tabindex=\"-1\" data-key=\"")
                .append(esc(card.key()))
                .append("\" data-event=\"")
                .append(esc(item.getEventId()))
                .append("\" data-policy=\"")
                .append(esc(flag.getPolicyId()))
                .append("\">");
        out.append("<button type=\"button\" class=\"thumb blurred\" title=\"Reveal (v)\"><img alt=\"flagged image\""
                        + " src=\"/thumb?event=")
                .append(esc(url(item.getEventId())))
                .append("\" width=\"")
                .append(item.getThumbnailWidth())
                .append("\" height=\"")
                .append(item.getThumbnailHeight())
                .append("\"></button><div class=\"evidence\"><h2>")
                .append(esc(flag.getPolicyId()))
                .append(" <span class=\"action\">")
                .append(esc(flag.getAction()))
                .append("</span> <span class=\"sev sev-")
                .append(esc(flag.getSeverity().name().toLowerCase(Locale.ROOT)))
                .append("\">")
                .append(esc(flag.getSeverity()))
                .append("</span></h2><p class=\"meta\">event ")
                .append(esc(item.getEventId()))
                .append(" · source ")
                .append(esc(item.getSource()))
                .append(" · ")
                .append(esc(item.getCreatedAt()))
                .append("</p>");
        for (MatchedLabel m : flag.getMatched()) {
            out.append(bar(m));
        }
        if (flag.getBankMatch() != null) {
            var b = flag.getBankMatch();
            out.append("<p class=\"bank\">bank ")
                    .append(esc(b.getBank()))
                    .append(" item ")
                    .append(esc(b.getItemId()))
                    .append(b.getPdqDistance() == null ? "" : " · PDQ distance " + b.getPdqDistance() + "/256")
                    .append(
                            b.getClipSimilarity() == null
                                    ? ""
                                    : String.format(Locale.ROOT, " · CLIP similarity %.3f", b.getClipSimilarity()))
                    .append("</p>");
        }
        out.append("<p class=\"meta\">")
                .append(
                        flag.getLabelSetName().isEmpty()
                                ? "raised by a bank"
                                : "label set " + esc(flag.getLabelSetName()) + " v" + esc(flag.getLabelSetVersion()))
                .append(" · model ")
                .append(esc(flag.getModelId()))
                .append("</p>");
        if (!item.getAttributes().isEmpty()) {
            out.append("<p class=\"meta\">");
            new java.util.TreeMap<>(item.getAttributes())
                    .forEach((k, v) ->
                            out.append(esc(k)).append('=').append(esc(v)).append(' '));
            out.append("</p>");
        }
        out.append("<p class=\"status\">")
                .append(d == null ? "waiting" : esc(d.getDecision()) + " by " + esc(d.getReviewer()))
                .append("</p>");
        Role role = session.user().role();
        if (role.allows(Role.MODERATOR)) {
            out.append("<label class=\"select\"><input type=\"checkbox\" form=\"bulk\" name=\"flag\" value=\"")
                    .append(esc(card.key() + "#" + revision))
                    .append("\"> select</label>");
            out.append("<form method=\"post\" action=\"/decide\" class=\"decide\">")
                    .append(csrf(session))
                    .append(hidden("event", item.getEventId()))
                    .append(hidden("policy", flag.getPolicyId()))
                    .append(hidden("revision", Integer.toString(revision)))
                    .append("<input name=\"note\" placeholder=\"note\" class=\"note\">");
            if (DecisionLedger.isDecided(d)) {
                out.append("<button name=\"decision\" value=\"UNDONE\" data-key=\"u\">Undo (u)</button>");
            } else {
                out.append("<button name=\"decision\" value=\"CONFIRMED\" data-key=\"y\">Confirm (y)</button>"
                        + "<button name=\"decision\" value=\"OVERTURNED\" data-key=\"n\">Overturn (n)</button>"
                        + "<button name=\"decision\" value=\"ESCALATED\" data-key=\"e\">Escalate (e)</button>");
            }
            out.append("</form>");
        }
        if (role.allows(Role.ADMIN)
                && d != null
                && (d.getDecision() == io.clipstream.schema.ReviewVerdict.CONFIRMED
                        || d.getDecision() == io.clipstream.schema.ReviewVerdict.OVERTURNED)) {
            boolean confirmed = d.getDecision() == io.clipstream.schema.ReviewVerdict.CONFIRMED;
            out.append("<form method=\"post\" action=\"")
                    .append(confirmed ? "/bank/add" : "/bank/not-again")
                    .append("\" class=\"bank-action\">")
                    .append(csrf(session))
                    .append(hidden("event", item.getEventId()))
                    .append(hidden("policy", flag.getPolicyId()))
                    .append("<button>")
                    .append(confirmed ? "Add to bank" : "Not this again")
                    .append("</button></form>");
        }
        return out.append("</div></article>").toString();
    }

    private static String bar(MatchedLabel m) {
        float threshold = m.getThreshold() == null ? 0f : m.getThreshold();
        // cosines and probabilities are at most 1: a fixed 0..1 scale makes bars comparable across cards
        double scale = Math.max(1.0, Math.max(m.getScore(), threshold));
        double scoreWidth = Math.max(0, Math.min(100, 100 * m.getScore() / scale));
        double thresholdAt = Math.max(0, Math.min(100, 100 * threshold / scale));
        // SVG attributes, not inline styles: the Content-Security-Policy allows no inline style
        return String.format(
                Locale.ROOT,
                "<div class=\"label\"><span class=\"name\">%s</span>"
                        + "<svg class=\"bar\" width=\"200\" height=\"12\" viewBox=\"0 0 200 12\"><title>score %.4f,"
                        + " threshold %s</title><rect class=\"track\" width=\"200\" height=\"12\"/>"
                        + "<rect class=\"score\" y=\"2\" width=\"%.1f\" height=\"8\"/>"
                        + "<rect class=\"threshold\" x=\"%.1f\" width=\"2\" height=\"12\"/></svg>"
                        + "<span class=\"num\">%.3f / %s</span></div>",
                esc(m.getLabelId()),
                m.getScore(),
                m.getThreshold() == null ? "none" : String.format(Locale.ROOT, "%.4f", m.getThreshold()),
                2 * scoreWidth,
                Math.min(198, 2 * thresholdAt),
                m.getScore(),
                m.getThreshold() == null ? "—" : String.format(Locale.ROOT, "%.3f", m.getThreshold()));
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + esc(value) + "\">";
    }

    static String quality(ConsoleSessions.Session session, List<QualityReport.Row> rows) {
        StringBuilder out = new StringBuilder("<h1>Quality</h1><p class=\"help\">Precision = confirmed / (confirmed"
                + " + overturned), with its 95% Wilson score interval. Escalated flags count as reviewed, not in"
                + " precision.</p><table id=\"quality\"><thead><tr><th>Policy</th><th>Label-set version</th>"
                + "<th>Reviewed</th><th>Confirmed</th><th>Overturned</th><th>Escalated</th><th>Precision</th>"
                + "<th>95% interval</th><th>Over time</th></tr></thead><tbody>");
        for (QualityReport.Row r : rows) {
            Precision p = r.precision();
            out.append("<tr data-policy=\"")
                    .append(esc(r.policyId()))
                    .append("\" data-version=\"")
                    .append(esc(r.labelSetVersion()))
                    .append("\"><td>")
                    .append(esc(r.policyId()))
                    .append("</td><td>")
                    .append(esc(r.labelSetVersion()))
                    .append("</td><td class=\"reviewed\">")
                    .append(r.reviewed())
                    .append("</td><td class=\"confirmed\">")
                    .append(p.confirmed())
                    .append("</td><td class=\"overturned\">")
                    .append(p.overturned())
                    .append("</td><td>")
                    .append(r.escalated())
                    .append("</td><td class=\"precision\">")
                    .append(p.decided() == 0 ? "—" : String.format(Locale.ROOT, "%.1f%%", 100 * p.value()))
                    .append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.1f–%.1f%%", 100 * p.low(), 100 * p.high()))
                    .append("</td><td>")
                    .append(QualityChart.svg(r.days()))
                    .append("</td></tr>");
        }
        return layout("Quality", session, out.append("</tbody></table>").toString());
    }

    static String message(ConsoleSessions.Session session, String title, String text) {
        return layout(title, session, "<h1>" + esc(title) + "</h1><p id=\"message\">" + esc(text) + "</p>");
    }

    static boolean nonEmpty(String s) {
        return !Objects.requireNonNullElse(s, "").isBlank();
    }
}
