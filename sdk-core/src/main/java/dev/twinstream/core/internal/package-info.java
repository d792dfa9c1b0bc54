/**
 * Implementation; not API, may change without notice. Contains the tracker engine (the
 * {@code track()} pipeline and its wiring), the compiled event types and envelope encoders, the
 * in-memory and disk event logs with the journal's file format and storage, and the dispatcher
 * with its per-sink channels, counters, retry backoff and failure classification.
 */
@org.jspecify.annotations.NullMarked
package dev.twinstream.core.internal;
