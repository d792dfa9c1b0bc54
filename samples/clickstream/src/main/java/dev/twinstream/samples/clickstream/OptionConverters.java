package dev.twinstream.samples.clickstream;

import dev.twinstream.samples.clickstream.ClickEvent.KeyScheme;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** How picocli reads the option values that are not plain numbers, names or URLs. */
final class OptionConverters {
    private OptionConverters() {}

    /** Reads 500ms, 30s, 2m, 1h or ISO-8601 (PT30S). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h)");

        @Override
        public Duration convert(String value) {
            Matcher m = SHORT.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            try {
                return Duration.parse(value);
            } catch (RuntimeException e) {
                throw new TypeConversionException("'" + value + "' is not a time such as 500ms, 30s, 2m or PT1H");
            }
        }
    }

    /** Reads user or user-type. */
    static final class KeyConverter implements CommandLine.ITypeConverter<KeyScheme> {
        @Override
        public KeyScheme convert(String value) {
            try {
                return KeyScheme.of(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
