package dev.twinstream.benchmarks.compare;


/**
 * Walks an AWS JSON 1.1 request with a top-level {@code "Records"} array (Kinesis
 * {@code PutRecords}, Firehose {@code PutRecordBatch}) or a single Kinesis {@code PutRecord}, just
 * far enough to find each record's {@code Data}, {@code PartitionKey} and {@code ExplicitHashKey}
 * string values: strings are skipped to their closing quote (honouring backslash escapes), nothing is
 * decoded. The KPL's C++ SDK and the Java SDK both write compact JSON; whitespace is tolerated anyway.
 * Not thread-safe: one instance per request.
 */
final class JsonRecords {

    private final byte[] body;
    private final int end;
    private int pos;
    // The span of the last string read (between its quotes).
    private int stringStart;
    private int stringLength;

    private JsonRecords(byte[] body, int length) {
        this.body = body;
        this.end = length;
    }

    /**
     * Reports every record of the request's {@code "Records"} array, or the one record of a
     * {@code PutRecord} request ({@code single}), to {@code fields}.
     *
     * @param body the request body
     * @param length how many bytes of {@code body} are the request
     * @param single whether the top-level object is the record itself
     * @param fields told about each record
     * @return the number of records
     * @throws IllegalArgumentException if the body is not the JSON object it should be
     */
    static int scan(byte[] body, int length, boolean single, RecordFields fields) {
        return new JsonRecords(body, length).top(single, fields);
    }

    private int top(boolean single, RecordFields fields) {
        if (single) {
            record(fields);
            return 1;
        }
        int records = 0;
        expect('{');
        if (peek() == '}') {
            return 0;
        }
        do {
            readString();
            boolean isRecords = is(RecordFields.RECORDS);
            expect(':');
            if (isRecords) {
                expect('[');
                if (peek() == ']') {
                    pos++;
                } else {
                    do {
                        record(fields);
                        records++;
                    } while (next(']'));
                }
            } else {
                skipValue();
            }
        } while (next('}'));
        return records;
    }

    private void record(RecordFields fields) {
        int dataStart = -1;
        int dataLength = 0;
        int keyStart = -1;
        int keyLength = 0;
        int hashStart = -1;
        int hashLength = 0;
        expect('{');
        if (peek() == '}') {
            pos++;
        } else {
            do {
                readString();
                int field = is(RecordFields.DATA) ? 1 : is(RecordFields.PARTITION_KEY) ? 2 : is(RecordFields.EXPLICIT_HASH_KEY) ? 3 : 0;
                expect(':');
                if (field != 0 && peek() == '"') {
                    readString();
                    if (field == 1) {
                        dataStart = stringStart;
                        dataLength = stringLength;
                    } else if (field == 2) {
                        keyStart = stringStart;
                        keyLength = stringLength;
                    } else {
                        hashStart = stringStart;
                        hashLength = stringLength;
                    }
                } else {
                    skipValue();
                }
            } while (next('}'));
        }
        fields.record(body, dataStart, dataLength, keyStart, keyLength, hashStart, hashLength);
    }

    /** After a member or element: true at a comma (another follows), false at {@code close} (consumed). */
    private boolean next(char close) {
        int c = peek();
        pos++;
        if (c == ',') {
            return true;
        }
        if (c == close) {
            return false;
        }
        throw new IllegalArgumentException("expected ',' or '" + close + "' at " + (pos - 1) + " but found '" + (char) c + "'");
    }

    private void readString() {
        expect('"');
        stringStart = pos;
        while (true) {
            if (pos >= end) {
                throw new IllegalArgumentException("JSON string not closed (started at " + stringStart + ")");
            }
            byte b = body[pos];
            if (b == '"') {
                break;
            }
            pos += b == '\\' ? 2 : 1;
        }
        stringLength = pos - stringStart;
        pos++;
    }

    private void skipValue() {
        int c = peek();
        if (c == '"') {
            readString();
        } else if (c == '{' || c == '[') {
            // Depth counting; strings are skipped whole so brackets inside them do not count.
            int depth = 0;
            do {
                c = peek();
                if (c == '"') {
                    readString();
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                }
                pos++;
            } while (depth > 0);
        } else {
            // A number, true, false or null: up to the next delimiter.
            while (pos < end && body[pos] != ',' && body[pos] != '}' && body[pos] != ']' && body[pos] > ' ') {
                pos++;
            }
        }
    }

    private void expect(char c) {
        if (peek() != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + pos);
        }
        pos++;
    }

    /** The next non-whitespace byte, not consumed. */
    private int peek() {
        while (pos < end && body[pos] <= ' ') {
            pos++;
        }
        if (pos >= end) {
            throw new IllegalArgumentException("JSON body ends early at " + pos);
        }
        return body[pos];
    }

    private boolean is(byte[] name) {
        if (stringLength != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (body[stringStart + i] != name[i]) {
                return false;
            }
        }
        return true;
    }
}
