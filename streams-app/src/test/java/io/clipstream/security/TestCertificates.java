package io.clipstream.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away private CA and a broker certificate it signed, made with the JDK's {@code keytool} (one child process
 * per step, as an operator would do it by hand):
 *
 * <ul>
 *   <li>{@link #brokerKeyStore()}: PKCS12 with the broker's EC key and the chain broker certificate + CA; the
 *       certificate has {@code SAN=IP:127.0.0.1,DNS:localhost}, so clients keep host-name verification
 *       ({@code ssl.endpoint.identification.algorithm=https}, Kafka's default) on;</li>
 *   <li>{@link #trustStore()}: PKCS12 holding only the CA certificate, what a client needs.</li>
 * </ul>
 *
 * <p>Passwords are random per run and reach keytool through its environment ({@code -storepass:env}), never its
 * command line.
 */
final class TestCertificates {

    private static final String SAN = "SAN=IP:127.0.0.1,DNS:localhost";

    private final Path brokerKeyStore;
    private final String brokerKeyStorePassword;
    private final Path trustStore;
    private final String trustStorePassword;

    private TestCertificates(
            Path brokerKeyStore, String brokerKeyStorePassword, Path trustStore, String trustStorePassword) {
        this.brokerKeyStore = brokerKeyStore;
        this.brokerKeyStorePassword = brokerKeyStorePassword;
        this.trustStore = trustStore;
        this.trustStorePassword = trustStorePassword;
    }

    /** A random password that is easy to search for in logs: {@code prefix} + 24 hex digits. */
    static String randomSecret(String prefix) {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return prefix + HexFormat.of().formatHex(bytes);
    }

    /** Creates the CA, the broker key store and the client trust store in {@code dir}. */
    static TestCertificates create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String caPassword = randomSecret("ca-pass-");
        String brokerPassword = randomSecret("broker-ks-pass-");
        String trustPassword = randomSecret("truststore-pass-");
        Map<String, String> env =
                Map.of("CA_PASS", caPassword, "BROKER_PASS", brokerPassword, "TRUST_PASS", trustPassword);
        Path ca = dir.resolve("ca.p12");
        Path caCert = dir.resolve("ca.crt");
        Path broker = dir.resolve("broker.p12");
        Path csr = dir.resolve("broker.csr");
        Path brokerCert = dir.resolve("broker.crt");
        Path trust = dir.resolve("truststore.p12");

        // 1. the CA: a self-signed key pair allowed to sign certificates
        keytool(
                dir,
                env,
                "-genkeypair",
                "-alias",
                "ca",
                "-dname",
                "CN=ClipStream Test CA",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-ext",
                "bc:c",
                "-ext",
                "KU=keyCertSign,cRLSign",
                "-storetype",
                "PKCS12",
                "-keystore",
                ca.toString(),
                "-storepass:env",
                "CA_PASS");
        keytool(
                dir,
                env,
                "-exportcert",
                "-rfc",
                "-alias",
                "ca",
                "-file",
                caCert.toString(),
                "-keystore",
                ca.toString(),
                "-storepass:env",
                "CA_PASS");
        // 2. the broker's key pair and a signing request
        keytool(
                dir,
                env,
                "-genkeypair",
                "-alias",
                "broker",
                "-dname",
                "CN=localhost",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                broker.toString(),
                "-storepass:env",
                "BROKER_PASS");
        keytool(
                dir,
                env,
                "-certreq",
                "-alias",
                "broker",
                "-file",
                csr.toString(),
                "-keystore",
                broker.toString(),
                "-storepass:env",
                "BROKER_PASS");
        // 3. the CA signs it for the loopback address and name
        keytool(
                dir,
                env,
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-infile",
                csr.toString(),
                "-outfile",
                brokerCert.toString(),
                "-validity",
                "2",
                "-ext",
                SAN,
                "-ext",
                "KU=digitalSignature,keyAgreement",
                "-ext",
                "EKU=serverAuth",
                "-keystore",
                ca.toString(),
                "-storepass:env",
                "CA_PASS");
        // 4. the broker key store gets the CA, then the signed certificate (the chain is completed from the CA)
        keytool(
                dir,
                env,
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caCert.toString(),
                "-keystore",
                broker.toString(),
                "-storepass:env",
                "BROKER_PASS");
        keytool(
                dir,
                env,
                "-importcert",
                "-alias",
                "broker",
                "-file",
                brokerCert.toString(),
                "-keystore",
                broker.toString(),
                "-storepass:env",
                "BROKER_PASS");
        // 5. the clients' trust store: the CA only
        keytool(
                dir,
                env,
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caCert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                trust.toString(),
                "-storepass:env",
                "TRUST_PASS");
        return new TestCertificates(broker, brokerPassword, trust, trustPassword);
    }

    private static void keytool(Path dir, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-J-XX:TieredStopAtLevel=1");
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish in 60 s");
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed (" + process.exitValue() + "): "
                    + new String(output, StandardCharsets.UTF_8));
        }
    }

    Path brokerKeyStore() {
        return brokerKeyStore;
    }

    String brokerKeyStorePassword() {
        return brokerKeyStorePassword;
    }

    Path trustStore() {
        return trustStore;
    }

    String trustStorePassword() {
        return trustStorePassword;
    }
}
