package io.clipstream.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(180)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedKafkaBrokerIT {

    /** Runs first, so the start time it prints is that of a cold JVM (what the demo sees). */
    @Test
    @Order(1)
    void transactionalRecordsSurviveARestart() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build()) {
            long t0 = System.nanoTime();
            kafka.start();
            long startMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf(
                    "EmbeddedKafkaBroker started (cold JVM) in %d ms on %s%n", startMs, kafka.bootstrapServers());

            assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
            kafka.createTopic("images", 3, Map.of("cleanup.policy", "delete"));
            try (Admin admin =
                    Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertThat(admin.describeTopics(List.of("images"))
                                .allTopicNames()
                                .get()
                                .get("images")
                                .partitions())
                        .hasSize(3);
            }

            long t1 = System.nanoTime();
            produceTransactionally(kafka.bootstrapServers(), "images", 100);
            System.out.printf(
                    "100 records produced in one transaction in %d ms%n", (System.nanoTime() - t1) / 1_000_000);
            assertThat(consumeCommitted(kafka.bootstrapServers(), "images", 100))
                    .hasSize(100);

            String before = kafka.bootstrapServers();
            long t2 = System.nanoTime();
            kafka.restart();
            System.out.printf("EmbeddedKafkaBroker restarted in %d ms%n", (System.nanoTime() - t2) / 1_000_000);
            assertThat(kafka.bootstrapServers()).isEqualTo(before);

            List<ConsumerRecord<String, String>> again = consumeCommitted(kafka.bootstrapServers(), "images", 100);
            assertThat(again).hasSize(100);
            assertThat(again).extracting(ConsumerRecord::value).contains("value-0", "value-99");

            // transactions still work after the restart (the transaction coordinator came back)
            produceTransactionally(kafka.bootstrapServers(), "images", 10);
            assertThat(consumeCommitted(kafka.bootstrapServers(), "images", 110))
                    .hasSize(110);
        }
    }

    @Test
    void abortedRecordsAreInvisibleToReadCommitted() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start()) {
            kafka.createTopic("aborted", 1, Map.of());
            try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("aborted", "k", "gone")).get();
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("aborted", "k", "kept")).get();
                producer.commitTransaction();
            }
            assertThat(consumeCommitted(kafka.bootstrapServers(), "aborted", 1))
                    .extracting(ConsumerRecord::value)
                    .containsExactly("kept");
        }
    }

    @Test
    void kafkaStreamsRunsWithExactlyOnceV2(@TempDir Path stateDir) throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start()) {
            kafka.createTopic("words", 2, Map.of());
            kafka.createTopic("counts", 2, Map.of());
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream("words", Consumed.with(Serdes.String(), Serdes.String()))
                    .groupBy((k, v) -> v, Grouped.with(Serdes.String(), Serdes.String()))
                    .count()
                    .toStream()
                    .mapValues(String::valueOf)
                    .to("counts", Produced.with(Serdes.String(), Serdes.String()));
            Properties p = new Properties();
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, "embedded-it-eos");
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
            try (KafkaStreams streams = new KafkaStreams(builder.build(), p)) {
                streams.start();
                produceTransactionally(kafka.bootstrapServers(), "words", 20);
                try (KafkaProducer<String, String> producer = producer(kafka.bootstrapServers())) {
                    producer.initTransactions();
                    producer.beginTransaction();
                    for (int i = 0; i < 5; i++) {
                        producer.send(new ProducerRecord<>("words", "k" + i, "value-0"));
                    }
                    producer.commitTransaction();
                }
                List<ConsumerRecord<String, String>> counts = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < deadline
                        && counts.stream()
                                .noneMatch(r ->
                                        r.key().equals("value-0") && r.value().equals("6"))) {
                    counts = consumeCommitted(kafka.bootstrapServers(), "counts", 25);
                }
                assertThat(counts).extracting(ConsumerRecord::key).contains("value-0", "value-19");
                assertThat(counts)
                        .anyMatch(r -> r.key().equals("value-0") && r.value().equals("6"));
                assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
        }
    }

    @Test
    void twoBrokersRunSideBySide() throws Exception {
        try (EmbeddedKafkaBroker a = EmbeddedKafkaBroker.builder().build().start();
                EmbeddedKafkaBroker b = EmbeddedKafkaBroker.builder()
                        .brokerProperty("message.max.bytes", Integer.toString(4 * 1024 * 1024))
                        .build()
                        .start()) {
            assertThat(a.bootstrapServers()).isNotEqualTo(b.bootstrapServers());
            a.createTopic("only-on-a", 1, Map.of());
            b.createTopic("only-on-b", 2, Map.of());
            try (Admin adminA = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, a.bootstrapServers()));
                    Admin adminB =
                            Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers()))) {
                assertThat(adminA.listTopics().names().get())
                        .contains("only-on-a")
                        .doesNotContain("only-on-b");
                assertThat(adminB.listTopics().names().get())
                        .contains("only-on-b")
                        .doesNotContain("only-on-a");
            }
            produceTransactionally(a.bootstrapServers(), "only-on-a", 5);
            produceTransactionally(b.bootstrapServers(), "only-on-b", 7);
            assertThat(consumeCommitted(a.bootstrapServers(), "only-on-a", 5)).hasSize(5);
            assertThat(consumeCommitted(b.bootstrapServers(), "only-on-b", 7)).hasSize(7);
        }
    }

    @Test
    void closeTwiceIsFineAndDeletesTheTempDir() {
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start();
        Path dir = kafka.logDir();
        assertThat(dir).isDirectory();
        assertThat(dir.resolve("meta.properties")).isRegularFile();
        kafka.close();
        assertThat(dir).doesNotExist();
        kafka.close();
        assertThat(kafka.isRunning()).isFalse();
        assertThatThrownBy(kafka::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aGivenLogDirIsKeptAndReusedWithItsData(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("kafka");
        try (EmbeddedKafkaBroker kafka =
                EmbeddedKafkaBroker.builder().logDir(dir).build().start()) {
            kafka.createTopic("kept", 1, Map.of());
            produceTransactionally(kafka.bootstrapServers(), "kept", 3);
            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            kafka.start();
            assertThat(consumeCommitted(kafka.bootstrapServers(), "kept", 3)).hasSize(3);
        }
        assertThat(dir.resolve("meta.properties")).isRegularFile();
        assertThat(Files.list(dir).count()).isGreaterThan(1);
    }

    @Test
    void aPortInUseFailsWithAClearMessage() throws Exception {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().build().start()) {
            int taken = Integer.parseInt(
                    first.bootstrapServers().substring(first.bootstrapServers().indexOf(':') + 1));
            try (EmbeddedKafkaBroker second =
                    EmbeddedKafkaBroker.builder().port(taken).build()) {
                assertThatThrownBy(second::start)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("did not start")
                        .hasMessageContaining(Integer.toString(taken));
                assertThat(second.isRunning()).isFalse();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-it-" + UUID.randomUUID());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static void produceTransactionally(String bootstrap, String topic, int count) throws Exception {
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
            }
            producer.commitTransaction();
        }
    }

    private static List<ConsumerRecord<String, String>> consumeCommitted(String bootstrap, String topic, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "embedded-it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // a little longer, to catch anything beyond what was expected
            consumer.poll(Duration.ofMillis(300)).forEach(records::add);
        }
        return records;
    }
}
