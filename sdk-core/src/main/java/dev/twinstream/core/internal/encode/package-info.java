/**
 * Implementation; not API. Stage 1 of the data path, on the thread that calls {@code track()}: an
 * event becomes bytes. {@code CompiledType} validates an event against its {@code EventType} (required
 * fields, rules, partition and routing keys, size limits); {@code EncodedEnvelope} and
 * {@code JsonLinesFormat} write the envelope once per distinct format; {@code EventIds},
 * {@code Timestamps} and {@code WallClock} make the id and the time.
 *
 * <p>May depend on the public API and Jackson only: nothing else in {@code internal}. A change to
 * the envelope or a record format goes here.
 */
@org.jspecify.annotations.NullMarked
package dev.twinstream.core.internal.encode;
