package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.Attempts;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtepasswordGenerated;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.PasswordView;
import java.time.Instant;
import java.util.Objects;

/**
 * A signed-in person changes their password: the current one (the same Argon2id check as at sign-in,
 * and counted against the same limits when wrong, {@link Attempts}), then the new one twice. A change
 * ends every other session of theirs, and this browser continues under a new session id.
 */
public final class PasswordPages {
  private final WebPlatform web;

  public PasswordPages(WebPlatform web) {
    this.web = web;
  }

  public void form(PageContext p) {
    if (!p.session().signedIn()) {
      p.redirect(p.path("/sign-in"));
      return;
    }
    show(p, 200, null);
  }

  private void show(PageContext p, int status, String error) {
    PasswordView view = new PasswordView(p.path("/security/password"), p.session().username(), Notice.error(error),
        UserStore.MIN_PASSWORD, UserStore.MAX_PASSWORD, p.path("/security"));
    p.render(status, (out, layout) -> JtepasswordGenerated.render(out, null, layout, view));
  }

  public void change(PageContext p) {
    if (!p.session().signedIn()) {
      p.redirect(p.path("/sign-in"));
      return;
    }
    String tenant = p.tenant().id();
    String username = p.session().username();
    String current = Objects.requireNonNullElse(p.form("current"), "");
    String next = Objects.requireNonNullElse(p.form("new"), "");
    String again = Objects.requireNonNullElse(p.form("again"), "");
    Attempts.Reservation reservation = web.attempts().reserve(tenant, p.clientIp(), username, web.clock().instant());
    if (!(reservation instanceof Attempts.Reserved reserved)) {
      show(p, 429, "Too many wrong passwords. " + ((Attempts.Wait) reservation).text());
      return;
    }
    if (current.length() > UserStore.MAX_PASSWORD || web.users().authenticate(tenant, username, current).isEmpty()) {
      show(p, 403, "Your current password is not right.");
      return;
    }
    web.attempts().succeeded(reserved);
    if (next.length() < UserStore.MIN_PASSWORD || next.length() > UserStore.MAX_PASSWORD) {
      show(p, 400, "The new password must be " + UserStore.MIN_PASSWORD + " to " + UserStore.MAX_PASSWORD + " characters.");
      return;
    }
    if (!next.equals(again)) {
      show(p, 400, "The two new passwords are not the same.");
      return;
    }
    if (next.equalsIgnoreCase(username) || next.equals(current)) {
      show(p, 400, "Choose a new password that is not your username or your current password.");
      return;
    }
    Instant now = web.clock().instant();
    web.users().setPassword(tenant, username, next);
    SignInFlow.endEverywhere(web, tenant, username);
    // A new id, not a new sign-in: the password alone must not make the session fresh enough to add a factor.
    p.switchSession(web.sessions().renew(p.session(), now));
    web.activity().record(tenant, username, new ActivityLog.Entry(now, "password-changed", username,
        "Password changed; every other session was signed out.", p.clientIp()));
    p.updateSession(web.sessions().withAttribute(p.session(), SignInFlow.NOTICE, "password-changed"));
    p.redirect(p.path("/security"));
  }
}
