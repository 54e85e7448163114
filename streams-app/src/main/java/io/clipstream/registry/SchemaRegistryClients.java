package io.clipstream.registry;

/** Creates the client the settings name: the in-memory registry for {@code mock://scope}, REST otherwise. */
public final class SchemaRegistryClients {

    private SchemaRegistryClients() {}

    public static SchemaRegistryClient create(RegistrySettings settings) {
        if (settings.isMock()) {
            String scope = settings.urls().get(0).getHost() != null
                    ? settings.urls().get(0).getHost()
                    : settings.urls().get(0).getSchemeSpecificPart().replaceFirst("^//", "");
            return InMemorySchemaRegistry.scope(scope);
        }
        return new RestSchemaRegistryClient(settings);
    }
}
