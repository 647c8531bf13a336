package io.otpflow.push;

import io.otpflow.common.MalformedEventException;
import io.otpflow.common.SecretBox;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.push.provider.PushMessage;
import io.otpflow.push.provider.PushMessage.Kind;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a dispatch event and opens it into the message a provider sends: the device token with
 * the address keys (associated data {@code push-token|<tenant>|<account>}, so a token moved to
 * another account does not open) and, in code mode, the code with the dispatch keys (associated data
 * = verification id). Anything that does not fit is a {@link MalformedEventException}: a poison
 * event, dead-lettered.
 */
final class DispatchOpener {
  static final Set<String> PLATFORMS = Set.of("apns", "fcm");
  static final Set<String> MODES = Set.of("code", "approve", "withdraw");
  private static final Pattern VERIFICATION_ID = Pattern.compile("VE[0-9a-f]{32}");
  private static final Pattern DEVICE_ID = Pattern.compile("DV[0-9a-f]{32}");
  private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
  private static final Pattern ACCOUNT = Pattern.compile("~?[A-Za-z0-9._:@+=-]{1,128}");
  private static final int MAX_TITLE = 200;
  private static final int MAX_BODY = 1000;
  static final String DEFAULT_APPROVE_BODY = "Approve or deny this sign-in request.";

  private final SecretBox dispatchBox;
  private final SecretBox addressBox;

  DispatchOpener(SecretBox dispatchBox, SecretBox addressBox) {
    this.dispatchBox = dispatchBox;
    this.addressBox = addressBox;
  }

  /** Whether the event names a verification, tenant and device well enough to report about it. */
  static boolean reportable(PushDispatch d) {
    return VERIFICATION_ID.matcher(d.verificationId()).matches()
        && DEVICE_ID.matcher(d.deviceId()).matches()
        && TENANT.matcher(d.tenant()).matches();
  }

  /** The event's kind, once its ids, platform, mode and texts are checked. */
  static Kind check(PushDispatch d) {
    if (!reportable(d)) {
      throw new MalformedEventException("The push dispatch names no valid verification, device or tenant.");
    }
    if (!ACCOUNT.matcher(d.account()).matches()) {
      throw new MalformedEventException("The push dispatch's account is not a valid account name.");
    }
    if (!PLATFORMS.contains(d.platform())) {
      throw new MalformedEventException("Unknown push platform (apns or fcm expected).");
    }
    if (!MODES.contains(d.mode())) {
      throw new MalformedEventException("Unknown push mode (code, approve or withdraw expected).");
    }
    if ((d.title() != null && d.title().length() > MAX_TITLE) || (d.body() != null && d.body().length() > MAX_BODY)) {
      throw new MalformedEventException("The push dispatch's title or body is too long.");
    }
    if ("code".equals(d.mode()) && (d.body() == null || !d.body().contains("{code}"))) {
      throw new MalformedEventException("A code-mode push dispatch needs a body with {code} where the code goes.");
    }
    return "withdraw".equals(d.mode()) ? Kind.WITHDRAW : Kind.NOTIFY;
  }

  static String tokenAssociatedData(String tenant, String account) {
    return "push-token|" + tenant + "|" + account;
  }

  PushMessage open(PushDispatch d) {
    Kind kind = check(d);
    String token = addressBox.open(d.token(), tokenAssociatedData(d.tenant(), d.account()));
    if (token.isBlank() || token.length() > 4096) {
      throw new MalformedEventException("The sealed device token is empty or implausibly long.");
    }
    String code = null;
    String body = d.body();
    if ("code".equals(d.mode())) {
      code = dispatchBox.open(d.code(), d.verificationId());
      body = body.replace("{code}", code);
    } else if (body == null) {
      body = kind == Kind.WITHDRAW ? Withdrawals.text(null) : DEFAULT_APPROVE_BODY;
    }
    String title = d.title() != null ? d.title() : d.tenant();
    return new PushMessage(kind, d.tenant(), d.verificationId(), d.deviceId(), d.platform(), token, d.mode(), title,
        body, code, d.numberMatching(), d.expiresAt());
  }
}
