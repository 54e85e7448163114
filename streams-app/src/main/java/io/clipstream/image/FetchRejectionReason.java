package io.clipstream.image;

/**
 * Why {@link ImageFetcher} refused or failed to fetch an image reference. The {@link #code()} strings are stable
 * and may be used in metrics, dead-letter records and API responses; never rename them.
 *
 * <p>Kept apart from {@link RejectionReason} (which covers the bytes of an image, not how they were obtained) so
 * that the decoder's code list stays exactly as it is.
 */
public enum FetchRejectionReason {
    /** {@code "REFERENCE_INVALID"}: the URI is malformed, has no host, carries user info, has a bad port, or the
     * expected SHA-256 is not 64 hex digits. */
    REFERENCE_INVALID("REFERENCE_INVALID"),
    /** {@code "REFERENCE_SCHEME"}: the URI (or a redirect target) is not {@code https}. */
    REFERENCE_SCHEME("REFERENCE_SCHEME"),
    /** {@code "REFERENCE_HOST_NOT_ALLOWED"}: the host (or a redirect target's host) is not on the allow-list. */
    REFERENCE_HOST_NOT_ALLOWED("REFERENCE_HOST_NOT_ALLOWED"),
    /**
     * {@code "REFERENCE_ADDRESS_REFUSED"}: the host resolves to at least one address that must never be reached
     * (loopback, private, link-local, cloud metadata, multicast, unspecified, CGNAT, ...; see {@link AddressPolicy}).
     */
    REFERENCE_ADDRESS_REFUSED("REFERENCE_ADDRESS_REFUSED"),
    /** {@code "REFERENCE_TOO_LARGE"}: the declared Content-Length, or the body read so far, is over the cap. */
    REFERENCE_TOO_LARGE("REFERENCE_TOO_LARGE"),
    /** {@code "REFERENCE_TIMEOUT"}: resolution, connect, handshake or transfer ran past its time limit. */
    REFERENCE_TIMEOUT("REFERENCE_TIMEOUT"),
    /** {@code "REFERENCE_HTTP_ERROR"}: the server answered with a status other than 2xx or a followable 3xx. */
    REFERENCE_HTTP_ERROR("REFERENCE_HTTP_ERROR"),
    /** {@code "REFERENCE_REDIRECTS"}: more redirects than {@link FetchPolicy#maxRedirects()}. */
    REFERENCE_REDIRECTS("REFERENCE_REDIRECTS"),
    /** {@code "REFERENCE_CHECKSUM"}: the SHA-256 of the fetched bytes differs from the expected one. */
    REFERENCE_CHECKSUM("REFERENCE_CHECKSUM"),
    /**
     * {@code "REFERENCE_TLS"}: the TLS handshake failed: the certificate is untrusted, expired, or not valid for
     * the host name in the URI (possible interception), or no common protocol or cipher.
     */
    REFERENCE_TLS("REFERENCE_TLS"),
    /**
     * {@code "REFERENCE_FAILED"}: any other failure: the name does not resolve, the connection is refused or
     * reset, the response is malformed or truncated, or uses an encoding we do not accept.
     */
    REFERENCE_FAILED("REFERENCE_FAILED");

    private final String code;

    FetchRejectionReason(String code) {
        this.code = code;
    }

    /** The stable machine-readable code. */
    public String code() {
        return code;
    }
}
