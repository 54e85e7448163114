package io.clipstream.image;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Resolves a host name to the addresses {@link ImageFetcher} vets and then connects to. Injectable so tests can map
 * names such as {@code images.test} to chosen addresses without real DNS.
 */
@FunctionalInterface
public interface HostResolver {

    /**
     * All addresses of {@code host} (a name, or an IP literal without brackets).
     *
     * @throws UnknownHostException when the name does not resolve
     */
    InetAddress[] resolve(String host) throws UnknownHostException;

    /** The platform resolver, {@link InetAddress#getAllByName(String)}. */
    static HostResolver system() {
        return InetAddress::getAllByName;
    }
}
