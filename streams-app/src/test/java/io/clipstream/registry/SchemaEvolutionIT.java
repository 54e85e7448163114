package io.clipstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.ImageEmbedding;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageReference;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.MatchedLabel;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import io.clipstream.schema.Tag;
import io.clipstream.schema.Timings;
import io.clipstream.testing.ApicurioRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The topic schemas against a real Confluent-compatible registry (Apicurio, see {@link ApicurioRegistry}), through
 * the app's own {@link RestSchemaRegistryClient} and {@link AvroWireFormat}: every schema registers and round-trips;
 * the registry, not our code, decides backward compatibility; and every committed schema is still backward
 * compatible with its first release ({@code schemas/src/test/resources/released}).
 */
class SchemaEvolutionIT {

    /** Subjects of this run: the registry may be shared with other test classes. */
    private static final String RUN =
            "evolution-" + UUID.randomUUID().toString().substring(0, 8);

    private static ApicurioRegistry registry;
    private static RestSchemaRegistryClient client;

    @BeforeAll
    static void startRegistry() {
        registry = ApicurioRegistry.shared();
        client = new RestSchemaRegistryClient(RegistrySettings.of(registry.ccompatUrl()));
    }

    @AfterAll
    static void closeClient() {
        if (client != null) {
            client.close();
        }
    }

    private static RestSchemaRegistryClient freshClient() {
        return new RestSchemaRegistryClient(RegistrySettings.of(registry.ccompatUrl()));
    }

    private static String subject(String name) {
        return RUN + "-" + name + "-value";
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Every topic schema registers and round-trips through the wire format

    static Stream<Arguments> topicRecords() {
        Instant at = Instant.ofEpochMilli(1_760_000_000_123L);
        ImageEvent inline = ImageEvent.newBuilder()
                .setEventId("e1")
                .setOccurredAt(at)
                .setSource("camera-7")
                .setContentType("image/jpeg")
                .setImage(InlineImage.newBuilder()
                        .setBytes(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xd8, 1}))
                        .build())
                .setAttributes(Map.of("tenant", "acme"))
                .build();
        ImageEvent byReference = ImageEvent.newBuilder()
                .setEventId("e2")
                .setOccurredAt(at)
                .setSource("crawler")
                .setImage(ImageReference.newBuilder()
                        .setUri("s3://bucket/cat.png")
                        .setSha256("ab".repeat(32))
                        .build())
                .build();
        ImageTags tags = ImageTags.newBuilder()
                .setEventId("e1")
                .setModelId("clip-vit-b32")
                .setLabelSetName("general")
                .setLabelSetVersion("3")
                .setTags(List.of(Tag.newBuilder()
                        .setLabelId("animals.cat")
                        .setDisplayName("cat")
                        .setScore(0.93f)
                        .setRank(1)
                        .setGroup("animals")
                        .build()))
                .setTimings(Timings.newBuilder()
                        .setQueuedMs(3)
                        .setInferenceMs(41)
                        .setEndToEndMs(57)
                        .build())
                .build();
        PolicyFlag flag = PolicyFlag.newBuilder()
                .setEventId("e1")
                .setPolicyId("no-weapons")
                .setAction(PolicyAction.BLOCK)
                .setSeverity(Severity.HIGH)
                .setMatched(List.of(MatchedLabel.newBuilder()
                        .setLabelId("weapons.firearm")
                        .setScore(0.31f)
                        .setThreshold(0.27f)
                        .build()))
                .setModelId("clip-vit-b32")
                .setLabelSetName("moderation")
                .setLabelSetVersion("1")
                .setDecidedAt(at)
                .build();
        ImageEmbedding embedding = ImageEmbedding.newBuilder()
                .setEventId("e1")
                .setModelId("clip-vit-b32")
                .setEmbedding(List.of(0.6f, 0.8f))
                .build();
        LabelSet labelSet = LabelSet.newBuilder()
                .setName("moderation")
                .setVersion("1")
                .setModelId("clip-vit-b32")
                .setModelFingerprint("sha256:" + "0".repeat(64))
                .setDimension(2)
                .setGroups(List.of(LabelGroup.newBuilder()
                        .setName("weapons")
                        .setScoring(GroupScoring.THRESHOLD)
                        .build()))
                .setLabels(List.of(CompiledLabel.newBuilder()
                        .setId("weapons.firearm")
                        .setDisplayName("firearm")
                        .setGroup("weapons")
                        .setThreshold(0.27f)
                        .setEmbedding(List.of(1f, 0f))
                        .setCounterEmbeddings(List.of(List.of(0f, 1f)))
                        .setPrompts(List.of("a photo of a gun"))
                        .build()))
                .setPolicies(List.of(Policy.newBuilder()
                        .setId("no-weapons")
                        .setMatch(PolicyMatch.ANY)
                        .setLabels(List.of("weapons"))
                        .setMinScore(null)
                        .setAction(PolicyAction.BLOCK)
                        .setSeverity(Severity.HIGH)
                        .build()))
                .setCompiledAt(at)
                .build();
        return Stream.of(
                Arguments.of("ImageEvent-inline", ImageEvent.class, ImageEvent.getClassSchema(), inline),
                Arguments.of("ImageEvent-reference", ImageEvent.class, ImageEvent.getClassSchema(), byReference),
                Arguments.of("ImageTags", ImageTags.class, ImageTags.getClassSchema(), tags),
                Arguments.of("PolicyFlag", PolicyFlag.class, PolicyFlag.getClassSchema(), flag),
                Arguments.of("ImageEmbedding", ImageEmbedding.class, ImageEmbedding.getClassSchema(), embedding),
                Arguments.of("LabelSet", LabelSet.class, LabelSet.getClassSchema(), labelSet));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topicRecords")
    <T extends SpecificRecord> void everyTopicSchemaRegistersAndRoundTrips(
            String name, Class<T> type, Schema schema, T record) {
        String subject = subject(name);
        byte[] bytes = new AvroWireFormat<>(type, schema, client, true).write(subject, record);

        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(bytes[0]).isZero();
        try (RestSchemaRegistryClient other = freshClient()) {
            // what the serializer wrote is the id the registry hands out for the subject's schema...
            assertThat(other.lookup(subject, schema)).isEqualTo(id);
            assertThat(other.register(subject, schema))
                    .as("registering again is idempotent")
                    .isEqualTo(id);
            // ... and the one /schemas/ids/{id} serves (no client cache: a fresh client fetches it)
            assertThat(other.getById(id)).isEqualTo(schema);
            assertThat(new AvroWireFormat<>(type, schema, other, false).read(bytes))
                    .isEqualTo(record);
        }
        try (RestSchemaRegistryClient other = freshClient()) {
            // a producer that only looks the schema up (autoRegister=false) writes the same bytes
            assertThat(new AvroWireFormat<>(type, schema, other, false).write(subject, record))
                    .isEqualTo(bytes);
        }
    }

    @Test
    void theSameSchemaUnderTwoSubjectsHasOneIdLikeConfluent() {
        Schema schema = ImageEmbedding.getClassSchema();
        int first = client.register(subject("embeddings-a"), schema);
        try (RestSchemaRegistryClient other = freshClient()) {
            assertThat(other.register(subject("embeddings-b"), schema)).isEqualTo(first);
        }
    }

    @Test
    void anUnknownSubjectOrSchemaIsNotFound() {
        try (RestSchemaRegistryClient other = freshClient()) {
            assertThatThrownBy(() -> other.lookup(subject("never-registered"), ImageEmbedding.getClassSchema()))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status())
                            .isEqualTo(404));
            other.register(subject("lookup-miss"), ImageEmbedding.getClassSchema());
            assertThatThrownBy(() -> other.lookup(subject("lookup-miss"), ImageTags.getClassSchema()))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                        assertThat(e.status()).isEqualTo(404);
                        assertThat(e.errorCode()).isEqualTo(40403);
                    });
            assertThatThrownBy(() -> other.getById(Integer.MAX_VALUE))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status())
                            .isEqualTo(404));
            assertThat(other.isCompatible(subject("never-registered"), ImageTags.getClassSchema()))
                    .as("anything is compatible with a subject that does not exist yet")
                    .isTrue();
        }
    }

    @Test
    void dataWrittenWithAnOlderSchemaIsReadThroughTheRegistry() throws IOException {
        String subject = subject("embedding-history");
        Schema older = SchemaBuilder.record("ImageEmbedding")
                .namespace("io.clipstream.schema")
                .fields()
                .requiredString("eventId")
                .requiredString("modelId")
                .name("embedding")
                .type()
                .array()
                .items()
                .floatType()
                .noDefault()
                .requiredString("legacy")
                .endRecord();
        int olderId = client.register(subject, older);
        int currentId = client.register(subject, ImageEmbedding.getClassSchema());
        assertThat(currentId).isNotEqualTo(olderId);

        GenericRecord record = new GenericData.Record(older);
        record.put("eventId", "e9");
        record.put("modelId", "m");
        record.put("embedding", List.of(0.6f, 0.8f));
        record.put("legacy", "dropped by the reader");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(olderId).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(older).write(record, encoder);
        encoder.flush();

        try (RestSchemaRegistryClient other = freshClient()) {
            ImageEmbedding read = new AvroWireFormat<>(
                            ImageEmbedding.class, ImageEmbedding.getClassSchema(), other, false)
                    .read(out.toByteArray());
            assertThat(read)
                    .isEqualTo(ImageEmbedding.newBuilder()
                            .setEventId("e9")
                            .setModelId("m")
                            .setEmbedding(List.of(0.6f, 0.8f))
                            .build());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The registry enforces backward compatibility (Confluent's default rule)

    private static final String V1 = """
            {"type": "record", "name": "Evolving", "namespace": "io.clipstream.test", "fields": [
              {"name": "id", "type": "string"},
              {"name": "size", "type": "int"},
              {"name": "note", "type": "string", "default": ""}
            ]}""";

    static Stream<Arguments> compatibleChanges() {
        return Stream.of(
                Arguments.of("add a field with a default", """
                        {"type": "record", "name": "Evolving", "namespace": "io.clipstream.test", "fields": [
                          {"name": "id", "type": "string"},
                          {"name": "size", "type": "int"},
                          {"name": "note", "type": "string", "default": ""},
                          {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []}
                        ]}"""),
                Arguments.of("remove a field", """
                        {"type": "record", "name": "Evolving", "namespace": "io.clipstream.test", "fields": [
                          {"name": "id", "type": "string"},
                          {"name": "note", "type": "string", "default": ""}
                        ]}"""),
                Arguments.of("widen int to long", """
                        {"type": "record", "name": "Evolving", "namespace": "io.clipstream.test", "fields": [
                          {"name": "id", "type": "string"},
                          {"name": "size", "type": "long"},
                          {"name": "note", "type": "string", "default": ""}
                        ]}"""));
    }

    static Stream<Arguments> incompatibleChanges() {
        return Stream.of(
                Arguments.of("add a required field without a default", """
                        {"type": "record", "name": "Evolving", "namespace": "io.clipstream.test", "fields": [
                          {"name": "id", "type": "string"},
                          {"name": "size", "type": "int"},
                          {"name": "note", "type": "string", "default": ""},
                          {"name": "owner", "type": "string"}
                        ]}"""),
                Arguments.of("change a field's type", """
                        {"type": "record", "name": "Evolving", "namespace": "io.clipstream.test", "fields": [
                          {"name": "id", "type": "string"},
                          {"name": "size", "type": "string"},
                          {"name": "note", "type": "string", "default": ""}
                        ]}"""),
                Arguments.of("rename a field without an alias", """
                        {"type": "record", "name": "Evolving", "namespace": "io.clipstream.test", "fields": [
                          {"name": "id", "type": "string"},
                          {"name": "bytes", "type": "int"},
                          {"name": "note", "type": "string", "default": ""}
                        ]}"""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compatibleChanges")
    void theRegistryAcceptsABackwardCompatibleChange(String change, String v2) {
        String subject = subject("compatible-" + change.replace(' ', '-'));
        int v1Id = client.register(subject, parse(V1));
        Schema next = parse(v2);
        assertThat(client.isCompatible(subject, next)).as(change).isTrue();
        assertThat(client.register(subject, next)).as(change).isNotEqualTo(v1Id);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("incompatibleChanges")
    void theRegistryRefusesAnIncompatibleChange(String change, String v2) {
        String subject = subject("incompatible-" + change.replace(' ', '-'));
        client.register(subject, parse(V1));
        Schema next = parse(v2);
        assertThat(client.isCompatible(subject, next)).as(change).isFalse();
        assertThatThrownBy(() -> client.register(subject, next))
                .as(change)
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status())
                        .isEqualTo(409));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The evolution guard: every committed schema is backward compatible with its first release

    @Test
    void everyCommittedSchemaHasAReleasedBaseline() throws IOException {
        Path avro = schemasModule().resolve("src/main/avro");
        List<String> committed;
        try (Stream<Path> files = Files.list(avro)) {
            committed = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".avsc"))
                    .sorted()
                    .toList();
        }
        assertThat(released().keySet())
                .as(
                        "schemas/src/test/resources/released must hold the first release of"
                                + " every schema in %s: copy a new .avsc there when it is first released",
                        avro)
                .containsExactlyInAnyOrderElementsOf(
                        committed.stream().map(n -> n.replace(".avsc", "")).toList());
    }

    static Stream<Arguments> releasedSchemas() throws IOException {
        return released().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releasedSchemas")
    void theCurrentSchemaIsBackwardCompatibleWithItsFirstRelease(String name, Schema released) {
        Schema current = currentSchema(released.getFullName());
        String subject = subject("released-" + name);
        client.register(subject, released);
        assertThat(client.isCompatible(subject, current))
                .as(
                        "schemas/src/main/avro/%s.avsc must stay backward compatible with its first release (consumers"
                                + " on the new schema must read data written with the old one); Avro says: %s",
                        name,
                        SchemaCompatibility.checkReaderWriterCompatibility(current, released)
                                .getResult()
                                .getIncompatibilities()
                                .stream()
                                .map(i -> i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")")
                                .toList())
                .isTrue();
        client.register(subject, current);
    }

    /** The schema of the generated class {@code fullName} today ({@code getClassSchema()}). */
    private static Schema currentSchema(String fullName) {
        try {
            return (Schema) Class.forName(fullName).getMethod("getClassSchema").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(
                    "no generated class " + fullName + " for a released schema: a released schema"
                            + " must never be deleted or renamed (data written with it still exists)",
                    e);
        }
    }

    /** The released copies by file name, parsed in one parser (PolicyFlag uses enums that LabelSet defines). */
    private static Map<String, Schema> released() throws IOException {
        Path dir = schemasModule().resolve("src/test/resources/released");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> byName = new LinkedHashMap<>();
        Path labelSet = dir.resolve("LabelSet.avsc");
        if (Files.exists(labelSet)) {
            byName.put("LabelSet", parser.parse(Files.readString(labelSet, StandardCharsets.UTF_8)));
        }
        for (Path file : files) {
            String name = file.getFileName().toString().replace(".avsc", "");
            if (!byName.containsKey(name)) {
                byName.put(name, parser.parse(Files.readString(file, StandardCharsets.UTF_8)));
            }
        }
        return byName;
    }

    /** {@code schemas/} of this checkout, found upwards from the working folder (Maven runs tests in streams-app). */
    private static Path schemasModule() {
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("schemas");
            if (Files.isDirectory(candidate.resolve("src/main/avro"))) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "no schemas/src/main/avro above " + Paths.get("").toAbsolutePath());
    }

    private static Schema parse(String json) {
        return new Schema.Parser().parse(json);
    }
}
