package dev.twinstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kit has teeth: it runs the kit against deliberately broken sinks and checks which tests fail.
 * The broken variants are {@code @Disabled} so that only this test runs them (with the condition
 * switched off).
 */
class SinkCompatibilityKitSelfTest {

    private static final Logger LOG = LoggerFactory.getLogger(SinkCompatibilityKitSelfTest.class);
    private static final String OK = "SUCCESSFUL";

    @Test
    void aCorrectSinkPassesEveryTest() {
        Map<String, String> outcomes = run(InMemorySinkCompatibilityTest.class);

        assertThat(outcomes).hasSize(8).allSatisfy((test, outcome) -> assertThat(outcome).as(test).isEqualTo(OK));
    }

    @Test
    void aSinkWithoutInjectionSkipsTheFailureTests() {
        Map<String, String> outcomes = run(WithoutInjection.class);

        assertThat(outcomes.get("resultsArePerRecordInOrderWhenSomeFail"))
                .isEqualTo("ABORTED: WithoutInjection: this sink does not support injecting retryable failures");
        assertThat(outcomes.get("resendingFailedRecordsStoresEveryRecordExactlyOnce")).startsWith("ABORTED");
        assertThat(outcomes.get("permanentFailuresAreReportedAndNotStored"))
                .isEqualTo("ABORTED: WithoutInjection: this sink does not support injecting permanent failures");
        assertThat(outcomes).containsEntry("fullBatchOfSmallRecordsIsAcceptedInOrder", OK);
    }

    @Test
    void aDestinationThatLosesARecordFails() {
        Map<String, String> outcomes = run(LosesTheFirstRecord.class);

        assertThat(outcomes.get("fullBatchOfSmallRecordsIsAcceptedInOrder")).startsWith("FAILED")
                .contains("missing (payload=times)");
        assertThat(outcomes.get("batchNearMaxBytesIsAcceptedInOrder")).startsWith("FAILED");
        assertThat(outcomes.get("limitsAreSane")).isEqualTo(OK);
    }

    @Test
    void resultsInTheWrongOrderFail() {
        Map<String, String> outcomes = run(ReversesResults.class);

        assertThat(outcomes.get("resultsArePerRecordInOrderWhenSomeFail")).startsWith("FAILED");
        assertThat(outcomes.get("resendingFailedRecordsStoresEveryRecordExactlyOnce")).startsWith("FAILED");
    }

    @Test
    void keepingPayloadReferencesFails() {
        Map<String, String> outcomes = run(KeepsPayloadReferences.class);

        assertThat(outcomes.get("payloadsAreCopiedNotKept")).startsWith("FAILED");
        assertThat(outcomes.get("fullBatchOfSmallRecordsIsAcceptedInOrder")).isEqualTo(OK);
    }

    /** Runs a kit subclass and returns each test method's outcome (and failure message). */
    private static Map<String, String> run(Class<?> kitClass) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClass(kitClass))
                .configurationParameter("junit.jupiter.conditions.deactivate", "org.junit.*DisabledCondition")
                .build();
        Map<String, String> outcomes = new TreeMap<>();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast).ifPresent(m ->
                        outcomes.put(m.getMethodName(), result.getStatus() + result.getThrowable()
                                .map(t -> ": " + t.getMessage()).orElse("")));
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                id.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
                        .ifPresent(m -> outcomes.put(m.getMethodName(), "SKIPPED: " + reason));
            }
        });
        LOG.info("{} outcomes: {}", kitClass.getSimpleName(), outcomes);
        return outcomes;
    }

    private static List<byte[]> payloadsOf(InMemorySink sink) {
        return sink.received().stream().map(ReceivedRecord::payload).collect(Collectors.toList());
    }

    /** Correct, but cannot inject failures. */
    @Disabled("run by SinkCompatibilityKitSelfTest")
    static class WithoutInjection extends SinkCompatibilityKit {
        @Override
        protected Sink createSink() {
            return InMemorySink.create();
        }

        @Override
        protected List<byte[]> deliveredPayloads(Sink sink) {
            return payloadsOf((InMemorySink) sink);
        }
    }

    /** The destination loses the first record it accepted. */
    @Disabled("run by SinkCompatibilityKitSelfTest")
    static class LosesTheFirstRecord extends InMemorySinkCompatibilityTest {
        @Override
        protected List<byte[]> deliveredPayloads(Sink sink) {
            List<byte[]> all = super.deliveredPayloads(sink);
            return all.isEmpty() ? all : all.subList(1, all.size());
        }
    }

    /** Reports the right results in reverse order. */
    @Disabled("run by SinkCompatibilityKitSelfTest")
    static class ReversesResults extends InMemorySinkCompatibilityTest {
        @Override
        protected Sink createSink() {
            return new ReversingSink(InMemorySink.builder().seed(5).build());
        }

        @Override
        protected List<byte[]> deliveredPayloads(Sink sink) {
            return payloadsOf(((ReversingSink) sink).inner);
        }

        @Override
        protected void injectRetryableFailures(Sink sink, double fraction) {
            super.injectRetryableFailures(((ReversingSink) sink).inner, fraction);
        }

        @Override
        protected void injectPermanentFailures(Sink sink) {
            super.injectPermanentFailures(((ReversingSink) sink).inner);
        }
    }

    /** Delegates to an {@link InMemorySink} and reverses the order of its results. */
    private static final class ReversingSink implements Sink {
        final InMemorySink inner;

        ReversingSink(InMemorySink inner) {
            this.inner = inner;
        }

        @Override
        public SinkLimits limits() {
            return inner.limits();
        }

        @Override
        public CompletionStage<BatchResult> send(SinkBatch batch) {
            return inner.send(batch).thenApply(result -> {
                List<RecordResult> reversed = new ArrayList<>();
                for (int i = result.size() - 1; i >= 0; i--) {
                    reversed.add(result.get(i));
                }
                return BatchResult.of(reversed);
            });
        }
    }

    /** Stores the caller's payload arrays instead of copies. */
    @Disabled("run by SinkCompatibilityKitSelfTest")
    static class KeepsPayloadReferences extends SinkCompatibilityKit {
        private final List<byte[]> stored = new ArrayList<>();

        @Override
        protected Sink createSink() {
            return new Sink() {
                @Override
                public SinkLimits limits() {
                    return InMemorySink.DEFAULT_LIMITS;
                }

                @Override
                public CompletionStage<BatchResult> send(SinkBatch batch) {
                    for (int i = 0; i < batch.size(); i++) {
                        stored.add(batch.payload(i));
                    }
                    return CompletableFuture.completedFuture(BatchResult.allOk(batch.size()));
                }
            };
        }

        @Override
        protected List<byte[]> deliveredPayloads(Sink sink) {
            return stored;
        }
    }
}
