/** A user's application as a named module: it reads only what the Twinstream modules export. */
module example.modular {
    requires dev.twinstream.kinesis;
    requires dev.twinstream.testkit;
    // Jackson serializes the events and the tracker reads their required fields.
    opens example.modular to com.fasterxml.jackson.databind;
}
