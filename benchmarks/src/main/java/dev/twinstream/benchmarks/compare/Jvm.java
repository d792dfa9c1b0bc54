package dev.twinstream.benchmarks.compare;

import java.nio.file.Paths;

/** How to start another JVM like this one: the same {@code java} and class path. */
final class Jvm {
    private Jvm() {}

    /** {@return this JVM's java launcher} */
    static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * {@return the class path to give a child JVM}: under Surefire {@code java.class.path} is a
     * manifest-only booter jar, so its own record of the test class path wins when present.
     */
    static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
