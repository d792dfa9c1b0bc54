/**
 * Implementation; not API. Stage 3 of the data path: the dispatcher thread reads each sink's
 * records from the log, batches them ({@code SinkChannel}, {@code InFlightBatch}: size, bytes,
 * linger, in-flight limit), calls the sink, classifies each record's result
 * ({@code FailureClassifier}), schedules retries ({@code Backoff}), commits finished records back to
 * the log, counts everything ({@code SinkCounters}) and reports outcomes on the listener thread
 * ({@code Notifier}).
 *
 * <p>May depend on the public API, the SPI and {@code journal}; not on {@code encode} or the wiring
 * package. A change to batching, retries or outcome reporting goes here.
 */
@org.jspecify.annotations.NullMarked
package dev.twinstream.core.internal.dispatch;
