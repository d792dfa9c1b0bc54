package dev.twinstream.benchmarks.compare;


/**
 * Walks an AWS CBOR 1.1 {@code PutRecords} (or {@code PutRecord}) request just far enough to find
 * each record's {@code Data}, {@code PartitionKey} and {@code ExplicitHashKey}: item headers are
 * decoded, everything else (the data bytes above all) is skipped by its length. Handles definite and
 * indefinite lengths (Jackson's CBOR generator, which the AWS SDK for Java uses, writes maps and arrays
 * of unknown size as indefinite). Not thread-safe: one instance per request.
 */
final class CborRecords {
    private static final int MAP = 5;
    private static final int ARRAY = 4;
    private static final int TEXT = 3;
    private static final int BYTES = 2;
    private static final int TAG = 6;
    private static final int INDEFINITE = 31;
    private static final int BREAK = 0xFF;

    private final byte[] body;
    private final int end;
    private int pos;
    private int major;
    private long argument;
    private boolean indefinite;

    private CborRecords(byte[] body, int length) {
        this.body = body;
        this.end = length;
    }

    /**
     * Reports every record of a {@code PutRecords} request, or the one record of a {@code PutRecord}
     * request ({@code single}), to {@code fields}.
     *
     * @param body the request body
     * @param length how many bytes of {@code body} are the request
     * @param single whether the top-level map is the record itself ({@code PutRecord})
     * @param fields told about each record
     * @return the number of records
     * @throws IllegalArgumentException if the body is not the CBOR map it should be
     */
    static int scan(byte[] body, int length, boolean single, RecordFields fields) {
        return new CborRecords(body, length).top(single, fields);
    }

    private int top(boolean single, RecordFields fields) {
        if (single) {
            record(fields);
            return 1;
        }
        header();
        require(MAP);
        long entries = count();
        int records = 0;
        for (long i = 0; more(i, entries); i++) {
            if (key(RecordFields.RECORDS)) {
                header();
                require(ARRAY);
                long items = count();
                for (long r = 0; more(r, items); r++) {
                    record(fields);
                    records++;
                }
                close(items);
            } else {
                skipItem();
            }
        }
        close(entries);
        return records;
    }

    /** One record map: finds the three fields, skips the rest. */
    private void record(RecordFields fields) {
        header();
        require(MAP);
        long entries = count();
        int dataStart = -1;
        int dataLength = 0;
        int keyStart = -1;
        int keyLength = 0;
        int hashStart = -1;
        int hashLength = 0;
        for (long i = 0; more(i, entries); i++) {
            header();
            require(TEXT);
            int k = pos;
            int kLength = (int) argument;
            pos += kLength;
            if (equal(k, kLength, RecordFields.DATA)) {
                header();
                require(BYTES);
                if (indefinite) {
                    // A chunked byte string: the first chunk starts the data, which is all the magic check needs.
                    header();
                    dataStart = pos;
                    dataLength = (int) argument;
                    pos += dataLength;
                    skipUntilBreak();
                } else {
                    dataStart = pos;
                    dataLength = (int) argument;
                    pos += dataLength;
                }
            } else if (equal(k, kLength, RecordFields.PARTITION_KEY)) {
                header();
                require(TEXT);
                keyStart = pos;
                keyLength = (int) argument;
                pos += keyLength;
            } else if (equal(k, kLength, RecordFields.EXPLICIT_HASH_KEY)) {
                header();
                require(TEXT);
                hashStart = pos;
                hashLength = (int) argument;
                pos += hashLength;
            } else {
                skipItem();
            }
        }
        close(entries);
        fields.record(body, dataStart, dataLength, keyStart, keyLength, hashStart, hashLength);
    }

    /** Reads a text key and tells whether it is {@code expected}; the position is after the key either way. */
    private boolean key(byte[] expected) {
        header();
        require(TEXT);
        int k = pos;
        pos += (int) argument;
        return equal(k, (int) argument, expected);
    }

    /** The item count of the container whose header was just read (a map's entries), or -1 if indefinite. */
    private long count() {
        return indefinite ? -1 : argument;
    }

    /** Whether a container of {@code count} items (-1: until a break) has an item at {@code i}. */
    private boolean more(long i, long count) {
        return count >= 0 ? i < count : (body[pos] & 0xFF) != BREAK;
    }

    /** Consumes the break that ends an indefinite container. */
    private void close(long count) {
        if (count < 0) {
            pos++;
        }
    }

    private void header() {
        if (pos >= end) {
            throw new IllegalArgumentException("CBOR body ends early at " + pos);
        }
        int initial = body[pos++] & 0xFF;
        major = initial >>> 5;
        int info = initial & 31;
        indefinite = false;
        if (info < 24) {
            argument = info;
        } else if (info == 24) {
            argument = body[pos++] & 0xFF;
        } else if (info == 25) {
            argument = ((body[pos] & 0xFF) << 8) | (body[pos + 1] & 0xFF);
            pos += 2;
        } else if (info == 26) {
            argument = ((long) (body[pos] & 0xFF) << 24) | ((body[pos + 1] & 0xFF) << 16) | ((body[pos + 2] & 0xFF) << 8)
                    | (body[pos + 3] & 0xFF);
            pos += 4;
        } else if (info == 27) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (body[pos + i] & 0xFF);
            }
            argument = v;
            pos += 8;
        } else if (info == INDEFINITE) {
            indefinite = true;
            argument = -1;
        } else {
            throw new IllegalArgumentException("bad CBOR header 0x" + Integer.toHexString(initial) + " at " + (pos - 1));
        }
    }

    private void skipItem() {
        header();
        switch (major) {
            case BYTES:
            case TEXT:
                if (indefinite) {
                    skipUntilBreak();
                } else {
                    pos += (int) argument;
                }
                break;
            case ARRAY:
            case MAP: {
                long items = indefinite ? -1 : (major == MAP ? 2 * argument : argument);
                if (items < 0) {
                    skipUntilBreak();
                } else {
                    for (long i = 0; i < items; i++) {
                        skipItem();
                    }
                }
                break;
            }
            case TAG:
                skipItem();
                break;
            default:
                // Integers, simple values and floats: the header held the whole item.
                break;
        }
    }

    private void skipUntilBreak() {
        while ((body[pos] & 0xFF) != BREAK) {
            skipItem();
        }
        pos++;
    }

    private void require(int expected) {
        if (major != expected) {
            throw new IllegalArgumentException("expected CBOR major type " + expected + " but found " + major + " before " + pos);
        }
    }

    private boolean equal(int start, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (body[start + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
