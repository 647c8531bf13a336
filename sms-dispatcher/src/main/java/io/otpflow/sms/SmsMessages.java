package io.otpflow.sms;

import io.otpflow.common.events.SmsDispatch;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns a dispatch event and its opened code into the message for the provider: the template with
 * the code, the sender (the tenant's, else the configured number or messaging service), the code's
 * remaining lifetime as validity, and the status callback naming the verification.
 *
 * @param statusCallback the gateway's Twilio status webhook, or null for none
 * @param defaultFrom the configured sender number, or null
 * @param messagingServiceSid the configured Twilio messaging service, or null
 */
record SmsMessages(URI statusCallback, String defaultFrom, String messagingServiceSid) {

  SmsMessage of(SmsDispatch d, String code, Instant now) {
    return new SmsMessage(
        d.verificationId(), d.to(), d.sender() != null ? d.sender() : defaultFrom,
        d.sender() != null ? null : messagingServiceSid, d.template().replace("{code}", code),
        Duration.between(now, d.expiresAt()), callbackFor(d));
  }

  private URI callbackFor(SmsDispatch d) {
    if (statusCallback == null) {
      return null;
    }
    // Keep any query the operator configured, and a #fragment (where Twilio reads its callback options) last.
    String base = statusCallback.toString();
    String fragment = "";
    int hash = base.indexOf('#');
    if (hash >= 0) {
      fragment = base.substring(hash);
      base = base.substring(0, hash);
    }
    return URI.create(base + (base.contains("?") ? "&" : "?")
        + "v=" + URLEncoder.encode(d.verificationId(), StandardCharsets.UTF_8)
        + "&t=" + URLEncoder.encode(d.tenant(), StandardCharsets.UTF_8) + fragment);
  }
}
