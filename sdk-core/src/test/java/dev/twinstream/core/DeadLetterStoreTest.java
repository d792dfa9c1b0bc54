package dev.twinstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DeadLetterStore}'s public API, in memory and persistent on a real directory. */
class DeadLetterStoreTest {
    @TempDir
    Path dir;

    record Event(String eventId, String eventType, String partitionKey, @Nullable String routingKey,
                 long occurredAtMillis) implements TrackedEvent {}

    private static DeadLetter letter(int i, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        Arrays.fill(payload, (byte) 'x');
        return new DeadLetter("backup", new Event("id-" + i, "page_view", "user-" + i, null, 1_700_000_000_000L + i),
                payload, DeadLetter.Reason.PERMANENT_ERROR, 1, "InvalidArgumentException", "bad record " + i);
    }

    private static List<String> ids(List<DeadLetter> letters) {
        return letters.stream().map(DeadLetter::eventId).collect(Collectors.toList());
    }

    private DeadLetterStore persistent(long maxBytes) throws IOException {
        return DeadLetterStore.persistent(dir, maxBytes, Clock.system());
    }

    @Test
    void theMemoryStoreKeepsItsSemanticsAndRemovesByIdentity() {
        DeadLetterStore store = new DeadLetterStore(250, Clock.system());
        assertThat(store.isPersistent()).isFalse();
        for (int i = 1; i <= 4; i++) {
            store.onDeadLetter(letter(i, 100));
        }
        assertThat(ids(store.snapshot())).containsExactly("id-3", "id-4");
        assertThat(store.evictedCount()).isEqualTo(2);
        assertThat(store.totalCount()).isEqualTo(4);
        List<DeadLetter> snapshot = store.snapshot();
        DeadLetter sameEventAgain = letter(4, 100); // dead-lettered again after a replay: another instance
        store.onDeadLetter(sameEventAgain);
        assertThat(store.remove(snapshot)).isEqualTo(1); // id-3 was evicted by the new one
        assertThat(store.snapshot()).containsExactly(sameEventAgain);
        assertThat(store.drain()).containsExactly(sameEventAgain);
        assertThat(store.size()).isZero();
        assertThat(store.unpersistedCount()).isZero();
        store.close();
        assertThatThrownBy(() -> new DeadLetterStore(0, Clock.system())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBytes must be at least 1 but was 0");
    }

    @Test
    void aPersistentStoreListsItsDeadLettersAgainAfterARestart() throws IOException {
        try (DeadLetterStore store = persistent(DeadLetterStore.DEFAULT_MAX_BYTES)) {
            assertThat(store.isPersistent()).isTrue();
            store.onDeadLetter(letter(1, 10));
            store.onDeadLetter(letter(2, 10));
            assertThat(store.unpersistedCount()).isZero();
        }
        assertThat(dir.resolve(DeadLetterStore.FILE_NAME)).isRegularFile();
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(DeadLetterStore.FILE_NAME))))
                    .as("dead letters may carry personal data").isEqualTo("rw-------");
        }
        try (DeadLetterStore store = persistent(DeadLetterStore.DEFAULT_MAX_BYTES)) {
            assertThat(ids(store.snapshot())).containsExactly("id-1", "id-2");
            assertThat(store.snapshot().get(1).errorMessage()).isEqualTo("bad record 2");
            assertThat(store.totalCount()).as("counts what this store received").isZero();
            store.onDeadLetter(letter(3, 10));
        }
        try (DeadLetterStore store = persistent(DeadLetterStore.DEFAULT_MAX_BYTES)) {
            assertThat(ids(store.snapshot())).containsExactly("id-1", "id-2", "id-3");
        }
    }

    @Test
    void evictionWhenFullIsWrittenAndHoldsAcrossARestartAndASmallerBoundEvictsAtOpen() throws IOException {
        try (DeadLetterStore store = persistent(300)) {
            for (int i = 1; i <= 5; i++) {
                store.onDeadLetter(letter(i, 100));
            }
            assertThat(ids(store.snapshot())).containsExactly("id-3", "id-4", "id-5");
            assertThat(store.evictedCount()).isEqualTo(2);
        }
        try (DeadLetterStore store = persistent(300)) {
            assertThat(ids(store.snapshot())).containsExactly("id-3", "id-4", "id-5");
            assertThat(store.evictedCount()).isZero();
        }
        try (DeadLetterStore store = persistent(200)) {
            assertThat(ids(store.snapshot())).containsExactly("id-4", "id-5");
            assertThat(store.evictedCount()).isEqualTo(1);
        }
        try (DeadLetterStore store = persistent(300)) {
            assertThat(ids(store.snapshot())).as("the eviction at open was written").containsExactly("id-4", "id-5");
        }
    }

    @Test
    void removeOfASnapshotAndDrainAreWrittenAndKeepWhatArrivedSince() throws IOException {
        List<DeadLetter> snapshot;
        try (DeadLetterStore store = persistent(DeadLetterStore.DEFAULT_MAX_BYTES)) {
            for (int i = 1; i <= 3; i++) {
                store.onDeadLetter(letter(i, 10));
            }
            snapshot = store.snapshot();
        }
        try (DeadLetterStore store = persistent(DeadLetterStore.DEFAULT_MAX_BYTES)) {
            List<DeadLetter> loaded = store.snapshot();
            store.onDeadLetter(letter(4, 10));
            assertThat(store.remove(snapshot)).as("other instances: nothing removed").isZero();
            assertThat(store.remove(loaded)).isEqualTo(3);
            assertThat(ids(store.snapshot())).containsExactly("id-4");
        }
        try (DeadLetterStore store = persistent(DeadLetterStore.DEFAULT_MAX_BYTES)) {
            assertThat(ids(store.snapshot())).containsExactly("id-4");
            store.onDeadLetter(letter(5, 10));
            assertThat(ids(store.drain())).containsExactly("id-4", "id-5");
        }
        try (DeadLetterStore store = persistent(DeadLetterStore.DEFAULT_MAX_BYTES)) {
            assertThat(store.snapshot()).isEmpty();
        }
    }

    @Test
    void aSecondStoreOnTheDirectoryAndAnUnknownVersionAreRefusedAndAfterCloseLettersStayInMemory() throws IOException {
        DeadLetterStore store = persistent(DeadLetterStore.DEFAULT_MAX_BYTES);
        assertThatThrownBy(() -> persistent(DeadLetterStore.DEFAULT_MAX_BYTES)).isInstanceOf(IOException.class)
                .hasMessageContaining("is in use by another dead-letter store");
        store.onDeadLetter(letter(1, 10));
        store.close();
        store.onDeadLetter(letter(2, 10));
        assertThat(ids(store.snapshot())).containsExactly("id-1", "id-2");
        assertThat(store.unpersistedCount()).isEqualTo(1);
        store.close();

        Path file = dir.resolve(DeadLetterStore.FILE_NAME);
        byte[] content = Files.readAllBytes(file);
        content[5] = 9; // the format version's low byte
        Files.write(file, content);
        assertThatThrownBy(() -> persistent(DeadLetterStore.DEFAULT_MAX_BYTES)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(file.toAbsolutePath() + " has dead-letter format version 9, but this version "
                        + "of Twinstream reads only version 1; the file was left untouched");
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
    }
}
