/**
 * Twinstream core: the typed tracker ({@link dev.twinstream.core.EventTracker}), formats, journals
 * and the dispatcher, and the sink SPI ({@code dev.twinstream.core.spi}) that the AWS sinks
 * implement. The implementation packages are not exported.
 */
module dev.twinstream.core {
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.core;
    requires org.slf4j;
    requires static transitive org.jspecify;

    exports dev.twinstream.core;
    exports dev.twinstream.core.spi;
}
