package io.clipstream.clip;

import java.nio.file.Path;

/** Settings the native libraries need before first use: DJL's offline mode and its extraction folder. */
final class NativeLibraries {

    private NativeLibraries() {}

    /**
     * Keeps DJL offline and off telemetry, and gives it a cache folder for the tokenizer's native library
     * ({@code DJL_CACHE_DIR} when set, else {@code ~/.cache/clipstream/djl}).
     */
    static synchronized void configureDjl() {
        System.setProperty("offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            String cache = System.getenv("XDG_CACHE_HOME");
            Path base = cache == null || cache.isBlank()
                    ? Path.of(System.getProperty("user.home"), ".cache")
                    : Path.of(cache);
            System.setProperty(
                    "DJL_CACHE_DIR", base.resolve("clipstream").resolve("djl").toString());
        }
    }
}
