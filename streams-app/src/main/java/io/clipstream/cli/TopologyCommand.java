package io.clipstream.cli;

import io.clipstream.topology.TopologyDiagram;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clipstream topology [--dot]}: the processor topology, as Kafka Streams describes it or as Graphviz. */
@Command(
        name = "topology",
        mixinStandardHelpOptions = true,
        description = "Describe the processor topology (--dot: Graphviz, as drawn in architecture.png).")
final class TopologyCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--dot", description = "Print Graphviz DOT instead of Kafka Streams' description.")
    boolean dot;

    @Override
    public Integer call() {
        var description = TopologyDiagram.describeDefault();
        spec.commandLine().getOut().print(dot ? TopologyDiagram.dot(description) : description.toString());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
