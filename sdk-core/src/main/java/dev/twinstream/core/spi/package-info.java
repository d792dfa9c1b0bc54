/**
 * The service-provider interface for sink authors: a {@link dev.twinstream.core.spi.Sink} receives
 * {@link dev.twinstream.core.spi.SinkBatch}es within its declared {@link dev.twinstream.core.spi.SinkLimits}
 * and answers with one {@link dev.twinstream.core.spi.RecordResult} per record in a
 * {@link dev.twinstream.core.spi.BatchResult}; a {@link dev.twinstream.core.spi.DeadLetterHandler}
 * receives the events a sink could not deliver. Everything here is non-null unless annotated
 * {@link org.jspecify.annotations.Nullable @Nullable}.
 */
@org.jspecify.annotations.NullMarked
package dev.twinstream.core.spi;
