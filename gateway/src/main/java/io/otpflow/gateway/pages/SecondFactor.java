package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.Attempts;
import io.otpflow.gateway.store.UserStore;

import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountView;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.gateway.platform.PlatformCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the second-factor step of signing in can use and how it starts: the person's ways (app, push,
 * SMS to their confirmed phone, a recovery code), strongest first; verifications started through the
 * platform with a per-session budget, so one sign-in cannot pump SMS or pushes; and the verifier's
 * lockout as the pages show it.
 *
 * <p>The lockout belongs to the verifier (consecutive wrong codes of the account, {@link
 * CheckReply.Locked}); the gateway only remembers until when it said so ({@code
 * otp:web:2fa-locked:{t:<tenant>}:<username>}, expiring with the lock), so the page can say
 * "locked" before anyone types again. It is separate from the password's limit ({@link Attempts}):
 * a locked second factor still lets the right password through to this page.
 */
final class SecondFactor {
  /** Verifications one SECOND_FACTOR session may start (sends, resends, switches). */
  static final int MAX_STARTS = 5;
  static final Pattern DIGITS = Pattern.compile("[0-9]{4,10}");
  /** Session attributes of the step. */
  static final String METHOD = "method";
  static final String VERIFICATION = "vid";
  static final String STARTS = "starts";

  /** One way to give the second factor. */
  record Method(String key, String title, String hint, String factorId) {}

  private SecondFactor() {}

  /** The ways this person has, strongest first: app, push, SMS, recovery code. */
  static List<Method> methods(AccountView view) {
    List<Method> out = new ArrayList<>();
    List<AccountView.Factor> active = SignInFlow.activeFactors(view);
    active.stream().filter(f -> StoredFactor.TOTP.equals(f.type())).findFirst()
        .ifPresent(f -> out.add(new Method("totp", "Authenticator app", "Enter the code your app shows", f.id())));
    long devices = active.stream().filter(f -> StoredFactor.DEVICE.equals(f.type())).count();
    if (devices > 0) {
      out.add(new Method("push", "Approve on your phone", devices == 1 ? "A notification to your device"
          : "A notification to your " + devices + " devices", null));
    }
    active.stream().filter(f -> StoredFactor.PHONE.equals(f.type())).findFirst()
        .ifPresent(f -> out.add(new Method("sms", "Text message", "A code to " + f.phone(), f.id())));
    if (view.recoveryCodes() != null && view.recoveryCodes().remaining() > 0) {
      out.add(new Method("recovery_code", "Recovery code", "One of the codes you saved", null));
    }
    return out;
  }

  static Method find(List<Method> methods, String key) {
    return methods.stream().filter(m -> m.key().equals(key)).findFirst().orElse(null);
  }

  /** The outcome of starting a verification. */
  sealed interface Start {
    record Started(String verificationId, Integer number) implements Start {}

    record Refused(String message) implements Start {}
  }

  /**
   * Starts a verification of {@code method} for the signing-in person, within the session's budget.
   * Push is always approve mode with number matching on the hosted page: the page shows the number
   * and the phone asks for it, so a push someone did not start cannot be approved by reflex.
   */
  static Start start(PageContext p, UserStore.User user, Method method, String context) {
    int starts = parse(p.session().attribute(STARTS));
    if (starts >= MAX_STARTS) {
      return new Start.Refused("You have asked for too many codes for this sign-in. Sign in again to start over.");
    }
    p.updateSession(p.web().sessions().withAttribute(p.session(), STARTS, Integer.toString(starts + 1)));
    boolean push = "push".equals(method.key());
    PlatformCalls.Send send = PlatformCalls.Send.toAccount(method.key(), user.account(),
        push ? null : method.factorId() != null && "sms".equals(method.key()) ? method.factorId() : null,
        push ? "approve" : null, push ? Boolean.TRUE : null, push ? context : null, null);
    String id = p.web().calls().newVerificationId();
    IssuerReply reply = p.await(p.web().calls().send(p.tenant(), id, send));
    return switch (reply) {
      case IssuerReply.Created c -> {
        p.updateSession(p.web().sessions().withAttribute(p.session(), VERIFICATION, c.verification().id()));
        yield new Start.Started(c.verification().id(), c.verification().number());
      }
      case IssuerReply.Found f -> {
        p.updateSession(p.web().sessions().withAttribute(p.session(), VERIFICATION, f.verification().id()));
        yield new Start.Started(f.verification().id(), f.verification().number());
      }
      case IssuerReply.RateLimited r -> new Start.Refused(IssuerReply.RateLimited.UNANSWERED.equals(r.reason())
          ? "Too many notifications went unanswered. Try another way, or wait " + SignInPages.minutes(r.retryAfterSeconds()) + "."
          : "Too many codes were sent. Try another way, or wait " + SignInPages.minutes(r.retryAfterSeconds()) + ".");
      case IssuerReply.NotFound n -> new Start.Refused("That way is not set up any more. Try another way.");
      case IssuerReply.Rejected r -> new Start.Refused("That way cannot be used right now (" + r.errorCode() + ")."
          + " Try another way.");
      case IssuerReply.Unavailable u -> throw new PageContext.PlatformUnavailable(new IllegalStateException(u.reason()));
    };
  }

  static String lockKey(String tenant, String username) {
    return "otp:web:2fa-locked:{t:" + tenant + "}:" + username;
  }

  /** Seconds the person's codes are locked for, as the verifier last said; 0 when not locked. */
  static long lockedFor(PageContext p, String username) {
    long ms = p.web().redis().pttl(lockKey(p.tenant().id(), username));
    return ms <= 0 ? 0 : Math.max(1, (ms + 999) / 1000);
  }

  static void rememberLock(PageContext p, String username, long seconds) {
    if (seconds > 0) {
      p.web().redis().psetex(lockKey(p.tenant().id(), username), Duration.ofSeconds(seconds).toMillis(), "1");
    }
  }

  static String lockMessage(long seconds) {
    return "Too many wrong codes. Your codes are locked: try again in " + SignInPages.minutes(seconds) + "."
        + " Your password still works; the code step is what is locked.";
  }

  static int parse(String n) {
    try {
      return n == null ? 0 : Integer.parseInt(n);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
