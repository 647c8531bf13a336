package io.otpflow.push;

import io.micrometer.core.instrument.MeterRegistry;
import io.otpflow.common.Json;
import io.otpflow.common.Metrics;
import io.otpflow.common.SealedValue;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.common.events.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes back the other devices' notifications once a push verification is decided. A decisive
 * {@link Verdict} (approved, locked, expired, or denied by a device) marks the verification decided
 * in Redis, which also stops sends and retries still pending, and lists the devices whose push was
 * accepted; each of them except the one that answered gets a withdrawal event on
 * otp.push-dispatch.v1, which the dispatcher claims (once per device), sends and retries like any push.
 *
 * <p>What a withdrawal can do depends on the provider: APNs replaces the notification that has the
 * same apns-collapse-id (also one still queued for an offline device) with a quiet one saying the
 * request was answered, content-available so the app may remove it altogether; FCM gets a data message
 * with the same collapse key (replacing a queued one) that the app uses to cancel its notification by tag.
 */
final class Withdrawals {
  private static final Logger LOG = LoggerFactory.getLogger(Withdrawals.class);
  /** How long after the code's expiry a withdrawal is still worth sending: the notification may still be on screen. */
  static final Duration GRACE = Duration.ofHours(1);
  /** A verdict's mark outlives any dispatch event of its verification (those are dropped at their expiry). */
  static final Duration DECIDED_KEEP = Duration.ofHours(1);
  private static final Set<String> FINAL = Set.of("approved", "locked", "expired");
  private static final Pattern VERIFICATION_ID = Pattern.compile("VE[0-9a-f]{32}");

  /** What the dispatcher remembers of a device whose push was accepted (d:&lt;device&gt;): enough to withdraw it. */
  record DeliveredDevice(String tenant, String account, String platform, SealedValue token, String title, Instant expiresAt) {
    static DeliveredDevice of(PushDispatch d) {
      return new DeliveredDevice(d.tenant(), d.account(), d.platform(), d.token(), d.title(), d.expiresAt());
    }
  }

  private final RedisPushState state;
  private final PushEvents events;
  private final Clock clock;
  private final MeterRegistry metrics;

  Withdrawals(RedisPushState state, PushEvents events, Clock clock, MeterRegistry metrics) {
    this.state = state;
    this.events = events;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * Whether a verdict ends a push verification. A denial without a device is a wrong code with
   * attempts left: the verification goes on. not_pending and not_found change nothing.
   */
  static boolean decides(Verdict v) {
    return "push".equals(v.channel())
        && v.verificationId() != null && VERIFICATION_ID.matcher(v.verificationId()).matches()
        && (FINAL.contains(v.outcome()) || ("denied".equals(v.outcome()) && v.deviceId() != null));
  }

  /** The decided mark: the answering device (or "-") and the outcome. The first verdict's mark stays. */
  static String mark(Verdict v) {
    return (v.deviceId() != null ? v.deviceId() : "-") + "|" + v.outcome();
  }

  static String answeringDevice(String decided) {
    int bar = decided.indexOf('|');
    return bar < 0 ? decided : decided.substring(0, bar);
  }

  /** What the replacing notification says, from the decided mark (null: nothing known). */
  static String text(String decided) {
    if (decided == null) {
      return "This sign-in request is no longer valid.";
    }
    String outcome = decided.substring(decided.indexOf('|') + 1);
    boolean byDevice = !answeringDevice(decided).equals("-");
    return switch (outcome) {
      case "approved", "denied" -> byDevice
          ? "This sign-in request was answered on another device."
          : "This code has been used.";
      case "locked" -> "This sign-in request was locked after too many wrong codes.";
      case "expired" -> "This sign-in request has expired.";
      default -> "This sign-in request is no longer valid.";
    };
  }

  void onVerdict(Verdict v) throws Exception {
    if (!decides(v)) {
      return;
    }
    RedisPushState.Decision decision = state.decide(v.verificationId(), mark(v), DECIDED_KEEP);
    String answering = answeringDevice(decision.decided());
    for (Map.Entry<String, String> entry : decision.devices().entrySet()) {
      String deviceId = entry.getKey().substring(2);
      DeliveredDevice device = Json.MAPPER.readValue(entry.getValue(), DeliveredDevice.class);
      if (deviceId.equals(answering)) {
        continue;
      }
      if (!device.tenant().equals(v.tenant())) {
        LOG.warn("Not withdrawing device {} of verification {}: the verdict names another tenant.", deviceId,
            v.verificationId());
        continue;
      }
      events.dispatch(withdrawal(v.verificationId(), deviceId, device, decision.decided()));
      PushMetrics.increment(metrics, Metrics.PUSH_WITHDRAWALS, Metrics.TAG_PLATFORM, device.platform());
    }
    if (!decision.devices().isEmpty()) {
      LOG.info("Verification {} is decided ({}); withdrawing it from {} other device(s).", v.verificationId(),
          v.outcome(), decision.devices().size() - (decision.devices().containsKey("d:" + answering) ? 1 : 0));
    }
  }

  /**
   * The withdrawal event for one device. Its event id is derived from verification and device, so a
   * verdict seen twice plans the same withdrawal (which the dispatcher's claim sends once anyway).
   */
  PushDispatch withdrawal(String verificationId, String deviceId, DeliveredDevice device, String decided) {
    UUID id = UUID.nameUUIDFromBytes(("withdraw|" + verificationId + "|" + deviceId).getBytes(StandardCharsets.UTF_8));
    return new PushDispatch(id.toString(), clock.instant(), device.tenant(), verificationId, device.account(), deviceId,
        device.platform(), device.token(), "withdraw", null, device.title(), text(decided), false,
        device.expiresAt().plus(GRACE));
  }
}
