package io.clipstream.topology;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.registry.InMemorySchemaRegistry;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.TopologyDescription;

/**
 * The processor topology as a Graphviz graph, generated from {@link ClipStreamTopology#buildTopology}'s own
 * description, so the architecture diagram beside the README is drawn from the real topology (a test fails when
 * the committed one is stale).
 */
public final class TopologyDiagram {

    private TopologyDiagram() {}

    /** The default configuration's topology, described (no model or broker is needed to describe it). */
    public static TopologyDescription describeDefault() {
        ClipStreamConfig config = ClipStreamConfig.of(Map.of("schema.registry.url", "mock://topology-diagram"));
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope("topology-diagram");
        try {
            PipelineResources none = new PipelineResources(null, null, null, null, List.of(), "", null);
            return ClipStreamTopology.buildTopology(
                            Topics.of(config, registry), registry, none, BatchingSettings.of(config))
                    .describe();
        } finally {
            InMemorySchemaRegistry.drop("topology-diagram");
        }
    }

    /** Graphviz DOT: topics as ellipses, processors as boxes, state stores as cylinders. */
    public static String dot(TopologyDescription description) {
        StringBuilder out = new StringBuilder();
        out.append("digraph clipstream {\n")
                .append("  rankdir=LR;\n")
                .append("  node [fontname=\"Helvetica\", fontsize=11];\n")
                .append("  edge [color=\"#555555\"];\n");
        Set<String> topics = new LinkedHashSet<>();
        Set<String> stores = new LinkedHashSet<>();
        StringBuilder edges = new StringBuilder();
        StringBuilder nodes = new StringBuilder();
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                describeNode(node, topics, stores, nodes, edges);
            }
        }
        for (TopologyDescription.GlobalStore global : description.globalStores()) {
            describeNode(global.source(), topics, stores, nodes, edges);
            describeNode(global.processor(), topics, stores, nodes, edges);
        }
        for (String topic : topics) {
            out.append("  \"topic:")
                    .append(topic)
                    .append("\" [label=\"")
                    .append(topic)
                    .append("\", shape=ellipse, style=filled, fillcolor=\"#e8f0fe\"];\n");
        }
        for (String store : stores) {
            out.append("  \"store:")
                    .append(store)
                    .append("\" [label=\"")
                    .append(store)
                    .append("\", shape=cylinder, style=filled, fillcolor=\"#fef7e0\"];\n");
        }
        out.append(nodes).append(edges).append("}\n");
        return out.toString();
    }

    private static void describeNode(
            TopologyDescription.Node node,
            Set<String> topics,
            Set<String> stores,
            StringBuilder nodes,
            StringBuilder edges) {
        String id = "node:" + node.name();
        if (node instanceof TopologyDescription.Source source) {
            nodes.append("  \"")
                    .append(id)
                    .append("\" [label=\"")
                    .append(node.name())
                    .append("\", shape=box, style=rounded];\n");
            for (String topic : source.topicSet()) {
                topics.add(topic);
                edges.append("  \"topic:")
                        .append(topic)
                        .append("\" -> \"")
                        .append(id)
                        .append("\";\n");
            }
        } else if (node instanceof TopologyDescription.Sink sink) {
            nodes.append("  \"")
                    .append(id)
                    .append("\" [label=\"")
                    .append(node.name())
                    .append("\", shape=box, style=rounded];\n");
            topics.add(sink.topic());
            edges.append("  \"")
                    .append(id)
                    .append("\" -> \"topic:")
                    .append(sink.topic())
                    .append("\";\n");
        } else if (node instanceof TopologyDescription.Processor processor) {
            nodes.append("  \"")
                    .append(id)
                    .append("\" [label=\"")
                    .append(node.name())
                    .append("\", shape=box, style=\"rounded,filled\", fillcolor=\"#e6f4ea\"];\n");
            for (String store : processor.stores()) {
                stores.add(store);
                edges.append("  \"")
                        .append(id)
                        .append("\" -> \"store:")
                        .append(store)
                        .append("\" [dir=both, style=dashed];\n");
            }
        }
        for (TopologyDescription.Node successor : node.successors()) {
            edges.append("  \"")
                    .append(id)
                    .append("\" -> \"node:")
                    .append(successor.name())
                    .append("\";\n");
        }
    }
}
