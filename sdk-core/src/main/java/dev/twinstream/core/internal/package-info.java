/**
 * Implementation; not API, may change without notice. The wiring of the data path: the
 * {@code TrackerEngine} runs {@code track()} (validate and encode with {@code encode}, append to the
 * log from {@code journal}) and builds the {@code dispatch} stage that delivers from the log;
 * {@code TrackerSettings} is the validated configuration it is built from.
 *
 * <p>The stages, in data-path order, each depending only on the ones before it (checked by
 * {@code StageLayeringTest}): {@code encode} (depends on nothing else in {@code internal}),
 * {@code journal} (nothing else in {@code internal}), {@code dispatch} (only {@code journal}).
 * This package may use all three; none of them may use this package.
 */
@org.jspecify.annotations.NullMarked
package dev.twinstream.core.internal;
