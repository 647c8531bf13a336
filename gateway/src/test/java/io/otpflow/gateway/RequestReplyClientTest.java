package io.otpflow.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.otpflow.common.Topics;
import io.otpflow.common.kafka.KafkaSettings;
import io.otpflow.common.kafka.RequestReplyClient;
import io.otpflow.common.kafka.TopicSetup;
import io.otpflow.testing.KafkaFixture;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whether a request the gateway got no answer to may still take effect, on a real broker: the
 * gateway answers {@code outcome-unknown} or {@code platform-unavailable} from it.
 */
class RequestReplyClientTest {
  private static RequestReplyClient client;

  @BeforeAll
  static void start() {
    KafkaSettings kafka = new KafkaSettings(KafkaFixture.shared().bootstrapServers(), "rr-test", 3);
    TopicSetup.ensureTopics(kafka, Duration.ofSeconds(30));
    client = RequestReplyClient.start(kafka, "rr-test-" + UUID.randomUUID(), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    client.close();
  }

  private static RequestReplyClient.UnavailableException failure(Object payload) {
    Throwable t = catchThrowable(() -> client.request(Topics.ISSUER_REQUESTS, "VE" + "0".repeat(32), payload,
        Map.class, Duration.ofMillis(500)).join());
    assertThat(t).isInstanceOf(CompletionException.class).hasCauseInstanceOf(RequestReplyClient.UnavailableException.class);
    return (RequestReplyClient.UnavailableException) t.getCause();
  }

  @Test
  void aRequestTheBrokerTookButNobodyAnsweredMayHaveArrived() {
    assertThat(failure(Map.of("type", "nobody-answers")).mayHaveArrived()).isTrue();
  }

  @Test
  void aRequestTheProducerRefusedBeforeSendingCannotHaveArrived() {
    // Over the producer's max.request.size (1 MiB): refused inside send(), nothing leaves the client.
    assertThat(failure(Map.of("padding", "x".repeat(2 * 1024 * 1024))).mayHaveArrived()).isFalse();
  }
}
