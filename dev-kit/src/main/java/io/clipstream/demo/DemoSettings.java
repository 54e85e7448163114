package io.clipstream.demo;

import java.nio.file.Path;
import java.util.List;

/**
 * What the embedded demo runs.
 *
 * @param model the model folder
 * @param labelSets label-set YAML files to compile and publish
 * @param images folder of images to stream (a {@code manifest.json} with ground-truth labels is optional)
 * @param rate events produced per second (0: as fast as possible)
 * @param corrupt also stream a few unusable inputs, to show dead letters
 * @param keepRunning leave the broker and the app up after the summary, until interrupted
 */
public record DemoSettings(
        Path model, List<Path> labelSets, Path images, double rate, boolean corrupt, boolean keepRunning) {}
