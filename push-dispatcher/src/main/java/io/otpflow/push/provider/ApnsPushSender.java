package io.otpflow.push.provider;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.util.ApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import com.eatthepath.pushy.apns.util.TokenUtil;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends through Apple's APNs with pushy (HTTP/2, token-based authentication), and turns every answer
 * into a {@link PushOutcome}:
 *
 * <ul>
 *   <li>200: accepted, with the apns-id this sender chose;
 *   <li>410 Unregistered (or ExpiredToken): dead token;
 *   <li>400 BadDeviceToken and DeviceTokenNotForTopic: dead token once this sender has had a push
 *       accepted; before that they are permanent failures, because APNs answers the same to every
 *       token when APNS_TOPIC or APNS_ENVIRONMENT (sandbox token, production host) is wrong, and a
 *       misconfigured dispatcher must not have every device pruned;
 *   <li>429, 500, 503, Shutdown, ExpiredProviderToken (pushy makes a new one), no answer in time, no
 *       connection: retryable (APNs sends no Retry-After);
 *   <li>anything else (payload, topic, credentials): permanent.
 * </ul>
 *
 * <p>Notifications carry apns-collapse-id = verification id, so a repeated send, or a withdrawal,
 * replaces the notification on the device instead of adding one; apns-expiration = the code's expiry.
 */
public final class ApnsPushSender implements PushSender {
  public static final String PROVIDER = "apns";
  /** Categories the app registers: approve shows Approve/Deny actions. */
  public static final String CATEGORY_CODE = "OTPFLOW_CODE";
  public static final String CATEGORY_APPROVE = "OTPFLOW_APPROVE";
  public static final String CATEGORY_WITHDRAWN = "OTPFLOW_WITHDRAWN";
  private static final Logger LOG = LoggerFactory.getLogger(ApnsPushSender.class);
  private static final Set<String> DEAD = Set.of("Unregistered", "ExpiredToken");
  private static final Set<String> DEAD_ONCE_PROVEN = Set.of("BadDeviceToken", "DeviceTokenNotForTopic");
  private static final Set<String> TRANSIENT =
      Set.of("TooManyRequests", "TooManyProviderTokenUpdates", "InternalServerError", "ServiceUnavailable", "Shutdown",
          "ExpiredProviderToken", "IdleTimeout");

  private final ApnsConfig config;
  private final ApnsClient client;
  /** Set once APNs accepted a push: from then on, topic, key and environment are known to be right. */
  private final AtomicBoolean proven = new AtomicBoolean();

  public ApnsPushSender(ApnsConfig config) {
    this.config = config;
    ApnsClientBuilder builder = new ApnsClientBuilder()
        .setApnsServer(config.effectiveHost(), config.effectivePort())
        .setSigningKey(ApnsConfig.signingKey(config.keyFile(), config.teamId(), config.keyId()))
        .setConnectionTimeout(config.connectTimeout());
    if (config.trustedCertificate() != null) {
      builder.setTrustedServerCertificateChain(config.trustedCertificate().toFile());
    }
    try {
      this.client = builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("The APNs client could not set up TLS: " + e.getMessage(), e);
    }
  }

  @Override
  public String provider() {
    return PROVIDER;
  }

  @Override
  public PushOutcome send(PushMessage message) {
    UUID apnsId = UUID.randomUUID();
    SimpleApnsPushNotification notification = new SimpleApnsPushNotification(
        TokenUtil.sanitizeTokenString(message.token()), config.topic(), payload(message), message.expiresAt(),
        DeliveryPriority.IMMEDIATE, PushType.ALERT, message.collapseId(), apnsId);
    PushNotificationResponse<SimpleApnsPushNotification> response;
    try {
      response = client.sendNotification(notification).get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return new PushOutcome.Retryable("APNs did not answer within " + config.requestTimeout().toMillis() + " ms", null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return new PushOutcome.Retryable("APNs unreachable (" + cause.getClass().getSimpleName() + ")", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new PushOutcome.Retryable("interrupted while waiting for APNs", null);
    }
    if (response.isAccepted()) {
      proven.set(true);
      return new PushOutcome.Accepted(apnsId.toString());
    }
    int status = response.getStatusCode();
    String reason = response.getRejectionReason().orElse("HTTP_" + status);
    if (DEAD.contains(reason) || status == 410) {
      return new PushOutcome.DeadToken(reason, "APNs: the device token is no longer active for the topic");
    }
    if (DEAD_ONCE_PROVEN.contains(reason)) {
      if (proven.get()) {
        return new PushOutcome.DeadToken(reason, "APNs refused this device token for the topic");
      }
      LOG.warn("APNs answered {} before any push was accepted; not treating the token as dead, since {} and {} may be"
          + " wrong ({}).", reason, ApnsConfig.ENV_TOPIC, ApnsConfig.ENV_ENVIRONMENT, config);
      return new PushOutcome.Permanent(reason, "APNs refused the token before any push was accepted: check the"
          + " topic and the environment");
    }
    if (TRANSIENT.contains(reason) || status == 429 || status >= 500) {
      return new PushOutcome.Retryable("APNs answered " + status + " " + reason, null);
    }
    return new PushOutcome.Permanent(reason, "APNs answered " + status + " " + reason);
  }

  /** The aps dictionary and the app's keys; quiet for a withdrawal, which only replaces what is shown. */
  static String payload(PushMessage message) {
    ApnsPayloadBuilder payload = new SimpleApnsPayloadBuilder()
        .setAlertTitle(message.title())
        .setAlertBody(message.body());
    if (message.kind() == PushMessage.Kind.WITHDRAW) {
      payload.setContentAvailable(true).setCategoryName(CATEGORY_WITHDRAWN);
    } else {
      payload.setSound(ApnsPayloadBuilder.DEFAULT_SOUND_FILENAME)
          .setCategoryName("approve".equals(message.mode()) ? CATEGORY_APPROVE : CATEGORY_CODE);
    }
    message.data().forEach(payload::addCustomProperty);
    return payload.build();
  }

  @Override
  public void close() {
    try {
      client.close().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("The APNs client did not close cleanly: {}", e.toString());
    }
  }
}
