package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.UserStore;

import io.otpflow.gateway.pages.view.PersonView;
import java.util.Objects;
import java.util.Optional;

/**
 * The helpdesk's password reset on a person's page: an admin sets a new password (handed over out
 * of band), which ends the person's sessions and trusted browsers; audited, and the person is told
 * on their security page. Not for the admin's own password (that one takes the current password, on
 * the security page) and not for people who sign in through the identity provider.
 */
public final class PasswordResetPage {
  static final String NOTICE_KEY = "password-set";
  private final WebPlatform web;

  public PasswordResetPage(WebPlatform web) {
    this.web = web;
  }

  /** The form on the person's page; null where a reset does not apply. */
  static PersonView.PasswordReset form(PageContext p, UserStore.User u) {
    if (u.external() || u.username().equals(p.session().username())) {
      return null;
    }
    return new PersonView.PasswordReset(p.path("/admin/people/password"), UserStore.MIN_PASSWORD, UserStore.MAX_PASSWORD);
  }

  public void reset(PageContext p, UserStore.User me) {
    if (!RecentSecondFactor.demand(p, me)) {
      return;
    }
    Optional<UserStore.User> found = AdminPages.formPerson(p);
    if (found.isEmpty()) {
      return;
    }
    UserStore.User u = found.get();
    String back = p.path("/admin/people/person?u=" + u.username());
    if (u.username().equals(me.username())) {
      AdminPages.redirect(p, back, "self-password");
      return;
    }
    if (u.external()) {
      AdminPages.redirect(p, back, "external-password");
      return;
    }
    String password = Objects.requireNonNullElse(p.form("password"), "");
    if (password.length() < UserStore.MIN_PASSWORD || password.length() > UserStore.MAX_PASSWORD) {
      AdminPages.redirect(p, back, "password-length");
      return;
    }
    web.users().setPassword(p.tenant().id(), u.username(), password);
    SignInFlow.endEverywhere(web, p.tenant().id(), u.username());
    web.activity().recordAdminAction(p.tenant().id(), u.username(), AdminPages.entry(p, me, "password-set",
        "An administrator set a new password for your account; you were signed out everywhere."));
    AdminPages.redirect(p, back, NOTICE_KEY);
  }
}
