package io.clipstream.review;

import java.util.Locale;

/** What a console user may do; each role may do what the roles before it may. */
public enum Role {
    /** Sees the queue, thumbnails and quality. */
    VIEWER,
    /** Also decides. */
    MODERATOR,
    /** Also adds to banks and calibrates. */
    ADMIN;

    /** Whether this role may do what {@code needed} may. */
    public boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The role named {@code name} (any case). */
    public static Role parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
    }
}
