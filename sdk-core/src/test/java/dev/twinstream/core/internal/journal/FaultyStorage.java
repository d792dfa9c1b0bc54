package dev.twinstream.core.internal.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory {@link JournalStorage} that models what a crash keeps: file contents survive
 * {@link #crash()} (the process died, the OS did not), but {@link #powerLoss()} keeps only bytes
 * covered by a successful {@code force} and only names made durable by {@code syncDirectory}.
 * Faults on command: fail writes after a byte budget or always ("No space left on device"), fail
 * forces, short writes, and a crash at the N-th write/force operation. A {@link #capacity} models a
 * real disk: the files together may not grow beyond it, a write that would is cut short where the
 * space ends (the next one fails with "No space left on device"), and deleting or truncating a file
 * gives its bytes back. Thread-safe (one monitor).
 */
final class FaultyStorage implements JournalStorage {
    static final String ENOSPC = "No space left on device";

    /** One file: what the OS has, and what a force made durable. */
    private static final class Node {
        byte[] data = new byte[0];
        byte[] forced = new byte[0];

        Node copyDurable() {
            Node n = new Node();
            n.data = forced.clone();
            n.forced = forced.clone();
            return n;
        }
    }

    private Map<String, Node> files = new TreeMap<>();
    /** The directory as of the last syncDirectory: the names a power loss keeps. */
    private Map<String, Node> durableNames = new TreeMap<>();
    private boolean locked;

    private long writeBudget = Long.MAX_VALUE;
    private long capacity = Long.MAX_VALUE;
    private boolean diskFull;
    private int failForces;
    private boolean shortWrites;
    private long operations;
    private long crashAtOperation = -1;
    private boolean crashed;

    @Override
    public String describe() {
        return "faulty-storage";
    }

    synchronized void failWritesAfterBytes(long bytes) {
        writeBudget = bytes;
    }

    synchronized void diskFull(boolean full) {
        diskFull = full;
        if (!full) {
            writeBudget = Long.MAX_VALUE;
        }
    }

    /**
     * The disk's size: the files' bytes together never exceed it. Unlike the faults, it survives
     * {@link #crash()} and {@link #powerLoss()} (the disk stays full across a restart); {@code
     * Long.MAX_VALUE} lifts it.
     */
    synchronized void capacity(long bytes) {
        capacity = bytes;
    }

    /** The bytes all files hold now: what counts against the {@link #capacity}. */
    synchronized long usedBytes() {
        long used = 0;
        for (Node n : files.values()) {
            used += n.data.length;
        }
        return used;
    }

    /** Bytes a write could still add before the {@link #capacity} is reached. */
    synchronized long freeBytes() {
        return capacity == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, capacity - usedBytes());
    }

    synchronized void failNextForces(int n) {
        failForces = n;
    }

    synchronized void shortWrites(boolean on) {
        shortWrites = on;
    }

    /** Every write and force from the {@code n}-th on (counting from 1) fails as if the process had died. */
    synchronized void crashAtOperation(long n) {
        crashAtOperation = n;
    }

    synchronized long operations() {
        return operations;
    }

    synchronized boolean crashed() {
        return crashed;
    }

    /** The process died: contents stay, the lock goes, faults are cleared. */
    synchronized void crash() {
        locked = false;
        clearFaults();
    }

    /** The machine lost power: only forced bytes under durable names stay. */
    synchronized void powerLoss() {
        Map<String, Node> survivors = new TreeMap<>();
        for (Map.Entry<String, Node> e : durableNames.entrySet()) {
            survivors.put(e.getKey(), e.getValue().copyDurable());
        }
        files = survivors;
        durableNames = new TreeMap<>(survivors);
        locked = false;
        clearFaults();
    }

    private void clearFaults() {
        writeBudget = Long.MAX_VALUE;
        diskFull = false;
        failForces = 0;
        shortWrites = false;
        crashAtOperation = -1;
        crashed = false;
        operations = 0;
    }

    /** A copy of a file's current bytes, or null. */
    synchronized byte[] content(String name) {
        Node n = files.get(name);
        return n == null ? null : n.data.clone();
    }

    /** Replaces a file's bytes (current and durable): for corruption tests. */
    synchronized void setContent(String name, byte[] data) {
        Node n = files.computeIfAbsent(name, k -> new Node());
        n.data = data.clone();
        n.forced = data.clone();
        durableNames.put(name, n);
    }

    synchronized Map<String, byte[]> snapshot() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : files.entrySet()) {
            out.put(e.getKey(), e.getValue().data.clone());
        }
        return out;
    }

    synchronized void restore(Map<String, byte[]> snapshot) {
        files = new TreeMap<>();
        durableNames = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : snapshot.entrySet()) {
            setContent(e.getKey(), e.getValue());
        }
    }

    private void operation() throws IOException {
        operations++;
        if (crashAtOperation > 0 && operations >= crashAtOperation) {
            crashed = true;
        }
        if (crashed) {
            throw new IOException("simulated crash");
        }
    }

    @Override
    public synchronized JournalFile open(String name) throws IOException {
        if (crashed) {
            throw new IOException("simulated crash");
        }
        files.computeIfAbsent(name, k -> new Node());
        return new FaultyFile(name);
    }

    @Override
    public synchronized List<String> list() {
        return new ArrayList<>(files.keySet());
    }

    @Override
    public synchronized void delete(String name) throws IOException {
        if (crashed) {
            throw new IOException("simulated crash");
        }
        files.remove(name);
    }

    @Override
    public synchronized void rename(String from, String to) throws IOException {
        if (crashed) {
            throw new IOException("simulated crash");
        }
        Node n = files.remove(from);
        if (n == null) {
            throw new IOException("no such file: " + from);
        }
        files.put(to, n);
    }

    @Override
    public synchronized void syncDirectory() throws IOException {
        operation();
        durableNames = new TreeMap<>(files);
    }

    @Override
    public synchronized Closeable tryLock(String name) {
        if (locked) {
            return null;
        }
        locked = true;
        return () -> {
            synchronized (FaultyStorage.this) {
                locked = false;
            }
        };
    }

    private final class FaultyFile implements JournalFile {
        private final String name;

        FaultyFile(String name) {
            this.name = name;
        }

        private Node node() throws IOException {
            Node n = files.get(name);
            if (n == null) {
                throw new IOException(name + " was deleted");
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            synchronized (FaultyStorage.this) {
                operation();
                if (diskFull || writeBudget <= 0) {
                    throw new IOException(ENOSPC);
                }
                int n = src.remaining();
                if (shortWrites && n > 1) {
                    n = n / 2;
                }
                boolean fail = false;
                if (n > writeBudget) {
                    n = (int) writeBudget;
                    fail = true;
                }
                Node node = node();
                long free = freeBytes();
                if (free != Long.MAX_VALUE) {
                    // The file may grow by what is free; bytes it already has are overwritten in place.
                    long room = node.data.length + free - position;
                    if (room <= 0) {
                        throw new IOException(ENOSPC);
                    }
                    if (n > room) {
                        n = (int) room; // cut short where the space ends, as write(2) does
                        fail = false;
                    }
                }
                int end = (int) position + n;
                if (end > node.data.length) {
                    node.data = Arrays.copyOf(node.data, end);
                }
                src.get(node.data, (int) position, n);
                writeBudget -= n;
                if (fail) {
                    throw new IOException(ENOSPC);
                }
                return n;
            }
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (FaultyStorage.this) {
                Node node = node();
                if (position >= node.data.length) {
                    return -1;
                }
                int n = Math.min(dst.remaining(), node.data.length - (int) position);
                dst.put(node.data, (int) position, n);
                return n;
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (FaultyStorage.this) {
                operation();
                if (failForces > 0) {
                    failForces--;
                    throw new IOException("Input/output error (simulated fsync failure)");
                }
                Node node = node();
                node.forced = node.data.clone();
            }
        }

        @Override
        public void truncate(long size) throws IOException {
            synchronized (FaultyStorage.this) {
                if (crashed) {
                    throw new IOException("simulated crash");
                }
                Node node = node();
                if (size < node.data.length) {
                    node.data = Arrays.copyOf(node.data, (int) size);
                }
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (FaultyStorage.this) {
                return node().data.length;
            }
        }

        @Override
        public void close() {}
    }
}
