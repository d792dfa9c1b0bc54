package dev.twinstream.benchmarks.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The null endpoint's request walkers and shard lookup, on hand-made bodies. */
class WireScanTest {
    private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

    /** What the walkers reported, as strings. */
    private static final class Seen implements RecordFields {
        final List<String> records = new ArrayList<>();

        @Override
        public void record(byte[] body, int d, int dl, int k, int kl, int h, int hl) {
            records.add((d < 0 ? "-" : dl + ":" + (body[d] & 0xFF)) + "|" + (k < 0 ? "-" : new String(body, k, kl, StandardCharsets.UTF_8))
                    + "|" + (h < 0 ? "-" : new String(body, h, hl, StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void jsonFindsEveryRecordWhateverTheOrderWhitespaceAndEscapes() {
        String json = "{ \"StreamName\" : \"s\", \"Extra\": {\"a\":[1,{\"b\":\"]}\"}]},\n \"Records\" : ["
                + "{\"Data\":\"84mawA==\",\"PartitionKey\":\"k\\\"1\"},"
                + "{\"ExplicitHashKey\":\"42\", \"Data\" : \"AAAA\", \"PartitionKey\":\"k2\", \"Other\": null},"
                + "{}] , \"Tail\": true }";
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        Seen seen = new Seen();

        int n = JsonRecords.scan(body, body.length, false, seen);

        assertThat(n).isEqualTo(3);
        assertThat(seen.records).containsExactly("8:56|k\\\"1|-", "4:65|k2|42", "-|-|-");
    }

    @Test
    void cborHandlesDefiniteAndIndefiniteContainers() throws Exception {
        for (boolean sized : new boolean[] {true, false}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
                if (sized) {
                    g.writeStartObject(2);
                } else {
                    g.writeStartObject();
                }
                g.writeStringField("StreamName", "s");
                g.writeFieldName("Records");
                if (sized) {
                    g.writeStartArray(null, 2);
                } else {
                    g.writeStartArray();
                }
                g.writeStartObject();
                g.writeBinaryField("Data", new byte[] {MAGIC[0], MAGIC[1], MAGIC[2], MAGIC[3], 1});
                g.writeStringField("PartitionKey", "user-1");
                g.writeNumberField("Ignored", 1.5);
                g.writeEndObject();
                g.writeStartObject();
                g.writeStringField("ExplicitHashKey", "7");
                g.writeBinaryField("Data", new byte[] {1, 2});
                g.writeEndObject();
                g.writeEndArray();
                g.writeEndObject();
            }
            byte[] body = out.toByteArray();
            Seen seen = new Seen();

            int n = CborRecords.scan(body, body.length, false, seen);

            assertThat(n).as("sized=" + sized).isEqualTo(2);
            assertThat(seen.records).containsExactly("5:243|user-1|-", "2:1|-|7");
        }
    }

    @Test
    void shardsFollowTheMd5OfTheKeyOrTheExplicitHashKey() throws Exception {
        ShardRanges ranges = new ShardRanges(4);
        for (int i = 0; i < 100; i++) {
            byte[] key = ("user-" + i).getBytes(StandardCharsets.UTF_8);
            BigInteger hash = new BigInteger(1, MessageDigest.getInstance("MD5").digest(key));
            int expected = hash.shiftRight(126).intValue();
            // Twice: the second answer comes from the cache.
            assertThat(ranges.shardOf(key, 0, key.length, -1, 0, false)).isEqualTo(expected);
            assertThat(ranges.shardOf(key, 0, key.length, -1, 0, true)).isEqualTo(expected);
        }
        byte[] ehk = ("x" + BigInteger.ONE.shiftLeft(127)).getBytes(StandardCharsets.US_ASCII);
        assertThat(ranges.shardOf(ehk, -1, 0, 1, ehk.length - 1, true)).isEqualTo(2);
        assertThat(ranges.startingHashKey(1)).isEqualTo(BigInteger.ONE.shiftLeft(126).toString());
        assertThat(ranges.endingHashKey(3)).isEqualTo(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE).toString());
    }
}
