package io.clipstream.cli;

import picocli.CommandLine.Command;

/** {@code clipstream labels ...}: validate, compile, score and calibrate label sets. */
@Command(
        name = "labels",
        mixinStandardHelpOptions = true,
        description = "Validate, compile, score and calibrate label sets (label-sets/*.yaml).",
        subcommands = {
            LabelsValidateCommand.class,
            LabelsCompileCommand.class,
            LabelsScoreCommand.class,
            LabelsCalibrateCommand.class,
            LabelsPublishCommand.class,
            LabelsDiffCommand.class,
            LabelsImpactCommand.class,
            LabelsPromoteCommand.class,
            LabelsBackfillCommand.class
        })
final class LabelsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
