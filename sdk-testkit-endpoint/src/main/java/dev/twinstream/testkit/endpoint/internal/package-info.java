/** Implementation of the local endpoint: the wire codec, the router and the wire faults. Not API. */
@NullMarked
package dev.twinstream.testkit.endpoint.internal;

import org.jspecify.annotations.NullMarked;
