package io.clipstream.labels;

import io.clipstream.schema.GeneratedClasses;
import io.clipstream.schema.LabelSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/** Compiled label sets on disk: an Avro container file holding one {@link LabelSet}, with its schema. */
public final class LabelSetFiles {

    private LabelSetFiles() {}

    /** Whether {@code file} is an Avro container file (by its magic bytes), not YAML. */
    public static boolean isCompiled(Path file) throws IOException {
        byte[] head = new byte[4];
        try (var in = Files.newInputStream(file)) {
            return in.readNBytes(head, 0, 4) == 4 && head[0] == 'O' && head[1] == 'b' && head[2] == 'j' && head[3] == 1;
        }
    }

    /** Writes {@code set} to {@code file}, replacing it. */
    public static void write(LabelSet set, Path file) throws IOException {
        try (DataFileWriter<LabelSet> writer = new DataFileWriter<>(new SpecificDatumWriter<>(LabelSet.class))) {
            writer.setCodec(org.apache.avro.file.CodecFactory.deflateCodec(6));
            writer.create(LabelSet.getClassSchema(), file.toFile());
            writer.append(set);
        }
    }

    /** Reads the label set in {@code file}. */
    public static LabelSet read(Path file) throws IOException {
        GeneratedClasses.trust();
        try (DataFileReader<LabelSet> reader =
                new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(LabelSet.class))) {
            if (!reader.hasNext()) {
                throw new IOException(file + " holds no label set");
            }
            return reader.next();
        }
    }
}
