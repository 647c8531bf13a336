package io.otpflow.issuer;

import io.otpflow.common.SecretBox;
import io.otpflow.common.Tenant;
import io.otpflow.common.accounts.AccountRegistryReader;
import io.otpflow.common.events.PushDispatch;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Turns one push verification into one {@link PushDispatch} per device of the account and hands
 * them to Kafka together: every device's event is published at once and all are acknowledged
 * before the caller goes on, so a verification to three phones costs about one broker round trip,
 * and each device's push then succeeds, retries or fails on its own in the push dispatcher.
 *
 * <p>The tokens are passed on sealed, as the registry keeps them: the issuer never opens them. In code
 * mode the one code of the verification is sealed for each device's event with the dispatch keys
 * (associated data = verification id). The number of number matching is never in an event: the
 * device must not be told it.
 */
final class PushFanOut {
  /** Where the events go; returns once the broker acknowledged every one of them. */
  interface Publisher {
    void publishAll(List<PushDispatch> dispatches) throws Exception;

    /** For issuers built without push (tests of the SMS path). */
    Publisher NONE = dispatches -> {
      throw new IllegalStateException("This issuer was built without a push publisher.");
    };
  }

  private final SecretBox dispatchBox;
  private final Publisher publisher;
  private final Clock clock;

  PushFanOut(SecretBox dispatchBox, Publisher publisher, Clock clock) {
    this.dispatchBox = dispatchBox;
    this.publisher = publisher;
    this.clock = clock;
  }

  /**
   * Publishes the verification's push to every device in {@code devices}.
   *
   * @param code the verification's code in code mode, else null
   * @param context where the sign-in comes from (already validated), or null
   */
  void send(Tenant tenant, StoredVerification v, String code, String context, List<AccountRegistryReader.Device> devices)
      throws Exception {
    List<PushDispatch> events = new ArrayList<>();
    boolean codeMode = "code".equals(v.mode());
    for (AccountRegistryReader.Device device : devices) {
      events.add(new PushDispatch(UUID.randomUUID().toString(), clock.instant(), tenant.id(), v.id(), v.account(),
          device.deviceId(), device.platform(), device.sealedToken(), v.mode(),
          codeMode ? dispatchBox.seal(code, v.id()) : null, tenant.displayName(),
          body(tenant, v.mode(), v.number() != null, context), v.number() != null, v.expiresAt()));
    }
    publisher.publishAll(events);
  }

  /**
   * What the notification says. Code mode keeps {@code {code}} for the dispatcher to fill in;
   * approve mode asks the question, with where the sign-in comes from when the caller said so.
   */
  static String body(Tenant tenant, String mode, boolean numberMatching, String context) {
    String from = context == null ? "" : " from " + context;
    if ("code".equals(mode)) {
      return "Your " + tenant.displayName() + " sign-in code is {code}."
          + (context == null ? "" : " Requested" + from + ".");
    }
    return "Approve sign-in to " + tenant.displayName() + from + "?"
        + (numberMatching ? " Enter the number shown on the sign-in screen." : "");
  }
}
