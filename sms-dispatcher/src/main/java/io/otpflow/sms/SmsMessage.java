package io.otpflow.sms;

import java.net.URI;
import java.time.Duration;

/**
 * One SMS to hand to a provider. {@code body} holds the code in clear: never log it.
 *
 * @param verificationId correlation id, also the idempotency scope of the send
 * @param to E.164 destination
 * @param from sender number or alphanumeric id; null when a messaging service is used
 * @param messagingServiceSid Twilio messaging service; null when {@code from} is used
 * @param body the rendered text, code included
 * @param validity how long the provider may keep trying (Twilio ValidityPeriod)
 * @param statusCallback where the provider reports delivery; null for none
 */
public record SmsMessage(
    String verificationId,
    String to,
    String from,
    String messagingServiceSid,
    String body,
    Duration validity,
    URI statusCallback) {

  @Override
  public String toString() {
    return "SmsMessage[verificationId=" + verificationId + ", body=<hidden>]";
  }
}
