package io.clipstream.schema;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Lets Avro instantiate the classes generated from this module's schemas. Avro 1.12 refuses to load classes named
 * in schemas unless they are trusted; only this package is added to whatever is trusted already.
 */
public final class GeneratedClasses {

    private static boolean installed;

    private GeneratedClasses() {}

    /** Trusts {@code io.clipstream.schema} and its sub-packages; idempotent. */
    public static synchronized void trust() {
        if (!installed) {
            ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                    previous, type -> type.getPackageName().startsWith(GeneratedClasses.class.getPackageName())));
            installed = true;
        }
    }
}
