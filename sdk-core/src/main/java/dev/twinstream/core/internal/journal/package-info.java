/**
 * Implementation; not API. Stage 2 of the data path: encoded events wait in a log until every sink
 * they go to is finished with them. {@code EventLog} is the contract (append, one cursor per sink,
 * read, commit, overflow policy, quotas); {@code MemoryLog} implements it in memory, {@code DiskLog}
 * adds the durable journal: {@code JournalFormat} (the segment and checkpoint file format),
 * {@code JournalStorage} / {@code FileJournalStorage} (files and {@code fsync}). {@code LogRecord}
 * and {@code Receipt} are what an appended event is; {@code LogObserver} is how the log reports
 * drops and recovery without knowing who listens. {@code DeadLetterFile} is the persistent
 * {@code DeadLetterStore}'s file, on the same storage seam.
 *
 * <p>May depend on the public API only: nothing else in {@code internal}. A change to the journal
 * file format, capacity or overflow goes here.
 */
@org.jspecify.annotations.NullMarked
package dev.twinstream.core.internal.journal;
