package dev.twinstream.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Thrown by {@code build()} when a configuration is invalid. The message lists every violation
 * found, each naming the field, its allowed range and the value given.
 */
public final class ConfigurationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Every violation, one sentence each. */
    private final List<String> violations;

    /**
     * Creates the exception from a non-empty list of violations.
     *
     * @param violations one sentence per violation; copied
     */
    public ConfigurationException(List<String> violations) {
        super(format(violations));
        this.violations = Collections.unmodifiableList(new ArrayList<>(violations));
    }

    /**
     * {@return every violation, one sentence each, for example
     * {@code "lingerMillis must be between 0 and 60000 but was -1"}}
     */
    public List<String> violations() {
        return violations;
    }

    private static String format(List<String> violations) {
        StringBuilder sb = new StringBuilder("Invalid Twinstream configuration (")
                .append(violations.size()).append(violations.size() == 1 ? " problem):" : " problems):");
        for (String v : violations) {
            sb.append("\n  - ").append(v);
        }
        return sb.toString();
    }
}
