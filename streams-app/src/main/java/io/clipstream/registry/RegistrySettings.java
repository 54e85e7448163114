package io.clipstream.registry;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How to reach a schema registry: one or more base URLs (tried in order), {@code mock://scope} for the in-memory
 * registry, optional basic auth or bearer token, and an optional trust store for TLS. {@link #toString()} never
 * shows a secret.
 *
 * @param urls base URLs, e.g. {@code http://registry:8081} or Apicurio's {@code http://host/apis/ccompat/v7}
 * @param basicAuthUserInfo {@code user:password}, or null
 * @param bearerToken a bearer token, or null
 * @param trustStore a JKS or PKCS12 trust store for TLS, or null for the JVM's default
 * @param trustStorePassword the trust store's password, or null
 * @param timeout connect and request timeout
 */
public record RegistrySettings(
        List<URI> urls,
        String basicAuthUserInfo,
        String bearerToken,
        Path trustStore,
        String trustStorePassword,
        Duration timeout) {

    public RegistrySettings {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException("at least one schema registry URL is needed");
        }
        for (URI url : urls) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("mock")) {
                throw new IllegalArgumentException("schema registry URL must be http, https or mock, found " + url);
            }
        }
        if (basicAuthUserInfo != null && bearerToken != null) {
            throw new IllegalArgumentException(
                    "choose basic auth or a bearer token for the schema registry, not" + " both");
        }
        urls = List.copyOf(urls);
        timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
    }

    /** Settings for comma-separated URLs without credentials. */
    public static RegistrySettings of(String commaSeparatedUrls) {
        return new RegistrySettings(
                Arrays.stream(commaSeparatedUrls.split(","))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .map(URI::create)
                        .toList(),
                null,
                null,
                null,
                null,
                null);
    }

    /** Whether these settings name the in-memory registry. */
    public boolean isMock() {
        return "mock".equalsIgnoreCase(urls.get(0).getScheme());
    }

    @Override
    public String toString() {
        return "RegistrySettings[urls=" + urls + ", auth="
                + (basicAuthUserInfo != null ? "basic" : bearerToken != null ? "bearer" : "none")
                + ", trustStore=" + trustStore + ", timeout=" + timeout + "]";
    }
}
