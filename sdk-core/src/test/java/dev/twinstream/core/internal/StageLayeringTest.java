package dev.twinstream.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The stages of {@code internal} depend only on earlier stages: encode and journal on nothing else
 * in {@code internal}, dispatch only on journal, and no stage on the wiring package. Read from the
 * sources: a class of another package is reachable only through an import or a qualified name, and
 * both name the package.
 */
class StageLayeringTest {
    private static final Path INTERNAL = Paths.get("src/main/java/dev/twinstream/core/internal");
    /** For each stage, the other internal packages it may use ("" is the wiring package itself). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "encode", Set.of(),
            "journal", Set.of(),
            "dispatch", Set.of("journal"));
    private static final Pattern REFERENCE =
            Pattern.compile("\\bdev\\.twinstream\\.core\\.internal((?:\\.[a-z]\\w*)*)\\.[A-Z*]");

    @Test
    void everyStageUsesOnlyTheStagesBeforeIt() throws IOException {
        assertThat(INTERNAL).isDirectory();
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, Set<String>> stage : ALLOWED.entrySet()) {
            Path dir = INTERNAL.resolve(stage.getKey());
            assertThat(dir).as("stage package %s", stage.getKey()).isDirectory();
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    String source = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                    for (String used : internalPackagesUsed(source)) {
                        if (!used.equals(stage.getKey()) && !stage.getValue().contains(used)) {
                            violations.add(stage.getKey() + "/" + file.getFileName() + " uses internal"
                                    + (used.isEmpty() ? "" : "." + used));
                        }
                    }
                }
            }
        }
        assertThat(violations).as("stage imports that break the data-path order").isEmpty();
    }

    @Test
    void theCheckSeesImportsStaticImportsAndQualifiedNames() {
        String source = "package dev.twinstream.core.internal.journal;\n"
                + "import dev.twinstream.core.internal.dispatch.SinkChannel;\n"
                + "import static dev.twinstream.core.internal.encode.Json.write;\n"
                + "class X { dev.twinstream.core.internal.TrackerEngine e; }\n"
                + "// dev.twinstream.core.internal.journal.LogRecord is this package\n";
        assertThat(internalPackagesUsed(source)).containsExactly("", "dispatch", "encode", "journal");
    }

    /** The internal packages a source file names, as "" (the wiring package) or the stage's name. */
    private static Set<String> internalPackagesUsed(String source) {
        String code = source.replaceFirst("(?m)^package [\\w.]+;", "");
        Set<String> used = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) {
            used.add(m.group(1).isEmpty() ? "" : m.group(1).substring(1).split("\\.")[0]);
        }
        return used;
    }
}
