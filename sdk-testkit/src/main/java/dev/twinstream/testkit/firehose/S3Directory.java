package dev.twinstream.testkit.firehose;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local directory laid out like S3: each delivered object becomes the file
 * {@code <root>/<bucket>/<key>}, the key's {@code '/'} making sub-directories. A file appears
 * whole or not at all: it is written to a temporary file in its own directory and moved into place
 * atomically (a plain move where the file system cannot do that), so a reader never sees half an
 * object. A write that fails is logged at WARN (key and size, never the payload) and counted; the
 * in-memory object stays. Guarded by the fake's lock.
 */
final class S3Directory {
    private static final Logger LOG = LoggerFactory.getLogger(FakeFirehose.class);

    private final Path root;
    private long failures;

    S3Directory(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Writes {@code object} of delivery stream {@code stream} under {@code bucket}; never throws for I/O. */
    void write(String stream, String bucket, DeliveredObject object) {
        Path target = null;
        try {
            Path bucketDir = root.resolve(bucket).normalize();
            target = bucketDir.resolve(object.key()).normalize();
            // A key such as "../x" is a valid S3 key but would leave the bucket's directory here.
            if (!root.equals(bucketDir.getParent()) || !target.startsWith(bucketDir) || target.equals(bucketDir)) {
                throw new IOException("bucket '" + bucket + "' and key '" + object.key() + "' leave " + root);
            }
            Path dir = target.getParent();
            Files.createDirectories(dir);
            Path temporary = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                Files.write(temporary, object.storedBytesShared());
                moveIntoPlace(temporary, target);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException | InvalidPathException | SecurityException e) {
            failures++;
            LOG.warn("FakeFirehose could not write object {} ({} bytes) of delivery stream {} to {}: {}", object.key(),
                    object.storedBytesShared().length, stream, target != null ? target : root, e.toString());
        }
    }

    /** {@return how many objects could not be written} */
    long failures() {
        return failures;
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
