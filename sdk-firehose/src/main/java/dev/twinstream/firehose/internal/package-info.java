/**
 * Implementation of the Firehose sink, not API: the error table, the record packer and request
 * plans. May change in any release.
 */
@NullMarked
package dev.twinstream.firehose.internal;

import org.jspecify.annotations.NullMarked;
