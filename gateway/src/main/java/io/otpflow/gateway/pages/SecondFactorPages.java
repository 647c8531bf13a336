package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JteverifyGenerated;
import io.otpflow.common.events.AccountView;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.VerificationView;
import io.otpflow.gateway.platform.RecoveryCodes;
import io.otpflow.gateway.pages.SecondFactor.Method;
import io.otpflow.gateway.store.SessionStore.Stage;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.VerifyView;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The second step of signing in, /t/{tenant}/sign-in/verify, for a session whose password was right
 * (stage SECOND_FACTOR; any other session goes back to /sign-in). The person's strongest way is
 * offered first (app, then push, then SMS), "Try another way" lists the others and recovery codes.
 * Codes are checked by the verifier; a push is approved on the phone (number matching, always) and
 * the page only learns it by asking the platform: the browser's poll merely submits the form, whose
 * handler asks again before signing in. The pending verification is a session attribute.
 */
public final class SecondFactorPages {
  private final WebPlatform web;

  public SecondFactorPages(WebPlatform web) {
    this.web = web;
  }

  /** The signing-in person, or null after redirecting a session that is not at this step. */
  private UserStore.User user(PageContext p) {
    UserStore.User user = p.session().stage() == Stage.SECOND_FACTOR
        ? web.users().find(p.tenant().id(), p.session().username()).filter(u -> !u.disabled()).orElse(null) : null;
    if (user == null) {
      p.redirect(p.path("/sign-in"));
    }
    return user;
  }

  public void form(PageContext p) {
    UserStore.User user = user(p);
    if (user != null) {
      show(p, user, 200, null);
    }
  }

  public void submit(PageContext p) {
    UserStore.User user = user(p);
    if (user == null) {
      return;
    }
    String action = String.valueOf(p.form("action"));
    List<Method> methods = SecondFactor.methods(SignInFlow.account(p, user));
    if ("choose".equals(action) || "resend".equals(action)) {
      Method m = "resend".equals(action) ? chosen(p, methods) : SecondFactor.find(methods, p.form("method"));
      if (m == null) {
        show(p, user, 400, "Choose one of the ways below.");
        return;
      }
      // A refused start keeps the way and code the person had: the last code sent may still be typed.
      if (("sms".equals(m.key()) || "push".equals(m.key()))
          && SecondFactor.start(p, user, m, context(p)) instanceof SecondFactor.Start.Refused r) {
        show(p, user, 429, r.message());
        return;
      }
      if (!"sms".equals(m.key()) && !"push".equals(m.key())) {
        set(p, SecondFactor.VERIFICATION, null);
      }
      set(p, SecondFactor.METHOD, m.key());
      p.redirect(p.path("/sign-in/verify"));
    } else if ("push-done".equals(action)) {
      pushDone(p, user);
    } else {
      code(p, user, methods);
    }
  }

  private void code(PageContext p, UserStore.User user, List<Method> methods) {
    long locked = SecondFactor.lockedFor(p, user.username());
    if (locked > 0) {
      show(p, user, 429, null);
      return;
    }
    Method m = chosen(p, methods);
    String code = p.form("code");
    boolean recovery = m != null && "recovery_code".equals(m.key());
    if (m == null || "push".equals(m.key())) {
      show(p, user, 400, "Choose one of the ways below.");
      return;
    }
    if (code == null || (recovery ? RecoveryCodes.normalise(code) == null : !SecondFactor.DIGITS.matcher(code).matches())) {
      show(p, user, 422, recovery ? "Enter a recovery code: ten letters and digits, like k7m2p-9xqtd." : "Enter the code: digits only.");
      return;
    }
    String vid = p.session().attribute(SecondFactor.VERIFICATION);
    if (vid == null && "sms".equals(m.key())) {
      show(p, user, 400, "Ask for a code first.");
      return;
    }
    if (vid == null) {
      SecondFactor.Start start = SecondFactor.start(p, user, m, null);
      if (start instanceof SecondFactor.Start.Refused r) {
        show(p, user, 429, r.message());
        return;
      }
      vid = ((SecondFactor.Start.Started) start).verificationId();
    }
    CheckReply reply = p.await(web.calls().check(p.tenant(), vid, code));
    String error = switch (reply) {
      case CheckReply.Approved a -> null;
      case CheckReply.Denied d -> d.attemptsLeft() > 0
          ? "That code is wrong. " + d.attemptsLeft() + (d.attemptsLeft() == 1 ? " attempt" : " attempts") + " left."
          : restart(p, "That code is wrong, and this one cannot be tried again.");
      case CheckReply.Locked l -> {
        SecondFactor.rememberLock(p, user.username(), l.retryAfterSeconds());
        yield l.retryAfterSeconds() > 0 ? SecondFactor.lockMessage(l.retryAfterSeconds())
            : restart(p, "Too many wrong tries for this code.");
      }
      case CheckReply.Expired e -> restart(p, "That code has expired.");
      case CheckReply.NotPending n -> restart(p, "That code was already used or replaced by a newer one.");
      case CheckReply.NotFound n -> restart(p, "That code has expired.");
      case CheckReply.Declined d -> restart(p, "This sign-in was denied.");
      case CheckReply.Refused r -> restart(p, "That code does not belong to this step.");
      case CheckReply.Unavailable u -> throw new PageContext.PlatformUnavailable(new IllegalStateException(u.reason()));
    };
    if (error == null) {
      finish(p, user, switch (m.key()) {
        case "totp" -> "password and authenticator app";
        case "sms" -> "password and text message";
        default -> "password and a recovery code";
      });
      return;
    }
    web.activity().record(p.tenant().id(), user.username(), new ActivityLog.Entry(web.clock().instant(),
        "second-factor-failed", user.username(), "Wrong " + m.title().toLowerCase() + " code at sign-in.", p.clientIp()));
    show(p, user, reply instanceof CheckReply.Locked ? 429 : 422, error);
  }

  private void pushDone(PageContext p, UserStore.User user) {
    String vid = p.session().attribute(SecondFactor.VERIFICATION);
    VerificationView v = vid == null ? null : view(p, vid, user);
    String status = v == null ? "gone" : v.status();
    switch (status) {
      case "approved" -> finish(p, user, "password and push approved on "
          + (v.answeredBy() != null && v.answeredBy().name() != null ? v.answeredBy().name() : "a phone"));
      case "pending" -> show(p, user, 200, "Not approved yet: open the notification on your phone and tap the number.");
      case "denied" -> {
        set(p, SecondFactor.VERIFICATION, null);
        web.activity().record(p.tenant().id(), user.username(), new ActivityLog.Entry(web.clock().instant(),
            "second-factor-failed", user.username(), "A sign-in push was denied on a phone.", p.clientIp()));
        show(p, user, 403, "The sign-in was denied on your phone, so you are not signed in. If that was not you,"
            + " someone may know your password: tell your administrator. To try again, send a new notification or try another way.");
      }
      default -> show(p, user, 410, restart(p, "The notification expired before it was answered."));
    }
  }

  /** GET …/push-status: {"status": …} of the session's push, for the page's poll; the poll decides nothing. */
  public void pushStatus(PageContext p) {
    String vid = p.session().stage() == Stage.SECOND_FACTOR ? p.session().attribute(SecondFactor.VERIFICATION) : null;
    UserStore.User user = vid == null ? null : web.users().find(p.tenant().id(), p.session().username()).orElse(null);
    VerificationView v = user == null ? null : view(p, vid, user);
    String status = v == null ? "gone" : v.status();
    p.json(200, new JsonObject().put("status", status).put("message", switch (status) {
      case "pending" -> "Waiting for your approval…";
      case "approved" -> "Approved. Signing you in…";
      case "denied" -> "Denied on your phone.";
      default -> "The notification expired.";
    }));
  }

  /** The verification, when it is this person's push; null otherwise. */
  private VerificationView view(PageContext p, String vid, UserStore.User user) {
    IssuerReply reply = p.await(web.calls().status(p.tenant(), vid));
    return switch (reply) {
      case IssuerReply.Found f when user.account().equals(f.verification().account())
          && "push".equals(f.verification().channel()) -> f.verification();
      case IssuerReply.Created c -> null;
      case IssuerReply.Found f -> null;
      case IssuerReply.NotFound n -> null;
      case IssuerReply.RateLimited r -> null;
      case IssuerReply.Rejected r -> null;
      case IssuerReply.Unavailable u -> throw new PageContext.PlatformUnavailable(new IllegalStateException(u.reason()));
    };
  }

  private void finish(PageContext p, UserStore.User user, String how) {
    boolean trust = "1".equals(p.form("trust"));
    if (trust) {
      TrustedBrowsers.remember(p, user);
    }
    SignInFlow.signIn(p, user, how + (trust ? "; this browser is trusted for 30 days" : ""));
    if (how.endsWith("recovery code")) { // before the redirect, so the security page surely sees it
      p.updateSession(web.sessions().withAttribute(p.session(), SignInFlow.NOTICE, "recovery-code"));
    }
    p.redirect(p.path("/security"));
  }

  private String restart(PageContext p, String message) {
    set(p, SecondFactor.VERIFICATION, null);
    return message + " Get a new code or try another way.";
  }

  private void set(PageContext p, String name, String value) {
    p.updateSession(web.sessions().withAttribute(p.session(), name, value));
  }

  private static Method chosen(PageContext p, List<Method> methods) {
    Method m = SecondFactor.find(methods, p.session().attribute(SecondFactor.METHOD));
    return m != null ? m : methods.stream().filter(x -> !"recovery_code".equals(x.key())).findFirst()
        .orElse(methods.isEmpty() ? null : methods.get(0));
  }

  /** Where the sign-in comes from, as the push notification names it. */
  private static String context(PageContext p) {
    String s = TrustedBrowsers.browserName(p.routing().request().getHeader("user-agent")) + ", " + p.clientIp();
    String clean = s.replaceAll("[^\\p{L}\\p{N} .,:()/-]", "");
    return clean.substring(0, Math.min(100, clean.length()));
  }

  private void show(PageContext p, UserStore.User user, int status, String error) {
    AccountView view = SignInFlow.account(p, user);
    List<Method> methods = SecondFactor.methods(view);
    Method m = chosen(p, methods);
    long locked = SecondFactor.lockedFor(p, user.username());
    String vid = p.session().attribute(SecondFactor.VERIFICATION);
    VerificationView push = m != null && "push".equals(m.key()) && vid != null ? view(p, vid, user) : null;
    List<VerifyView.Choice> others = locked > 0 ? List.of() : methods.stream()
        .filter(x -> m == null || !x.key().equals(m.key())).map(o -> new VerifyView.Choice(o.key(), o.title(), o.hint()))
        .toList();
    VerifyView page = new VerifyView(p.tenant().displayName(), user.username(),
        Notice.error(locked > 0 ? SecondFactor.lockMessage(locked) : error), step(p, m, locked, vid, push), others,
        p.path("/sign-in/verify"), p.path("/sign-in/push-status"), p.path("/sign-out"));
    p.render(status, (out, layout) -> JteverifyGenerated.render(out, null, layout, page));
  }

  /** What the chosen way shows now. */
  private static VerifyView.Step step(PageContext p, Method m, long locked, String vid, VerificationView push) {
    if (m == null) {
      return new VerifyView.Step(VerifyView.Kind.NONE, null, false, false, null, null, null);
    }
    if (locked > 0) {
      return new VerifyView.Step(VerifyView.Kind.LOCKED, null, false, false, null, m.key(), null);
    }
    String phone = m.hint().startsWith("A code to ") ? m.hint().substring("A code to ".length()) : "your phone";
    return switch (m.key()) {
      case "totp" -> code("Open your authenticator app and enter the code it shows for " + p.tenant().displayName() + ".",
          false, false);
      case "recovery_code" -> code("Enter one of the recovery codes you saved when you set up two-step verification."
          + " Each code works once.", true, false);
      case "sms" -> vid == null ? start("We will text a code to " + phone + ".", m, "Text me a code")
          : code("We texted a code to " + phone + ". It is valid for a few minutes.", false, true);
      default -> vid == null || push == null || !"pending".equals(push.status())
          ? start("We will send a notification to your phone. Approve it there, and you are in.", m,
              vid == null ? "Send a notification" : "Send a new notification")
          : new VerifyView.Step(VerifyView.Kind.PUSH_WAIT, null, false, false, null, m.key(),
              push.number() == null ? "" : String.format("%02d", push.number()));
    };
  }

  private static VerifyView.Step code(String lead, boolean recovery, boolean resend) {
    return new VerifyView.Step(VerifyView.Kind.CODE, lead, recovery, resend, "Verify", null, null);
  }

  private static VerifyView.Step start(String lead, Method m, String button) {
    return new VerifyView.Step(VerifyView.Kind.START, lead, false, false, button, m.key(), null);
  }
}
