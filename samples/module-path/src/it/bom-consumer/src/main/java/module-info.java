/** A user's application as a named module: it reads only what the Twinstream modules export. */
module example.modular {
    requires dev.twinstream.kinesis;
    requires dev.twinstream.firehose;
    requires dev.twinstream.micrometer;
    requires dev.twinstream.testkit;
    // Jackson serializes the events.
    opens example.modular to com.fasterxml.jackson.databind;
}
