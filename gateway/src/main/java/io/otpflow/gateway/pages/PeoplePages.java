package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.PolicyStore;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtepeopleGenerated;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.PeopleView;
import io.otpflow.gateway.pages.view.PeopleView.NewPerson;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * /admin/people: the company's people with their role, sign-in kind, state and 2FA; a form that
 * creates one (a password, or sign-in through the external identity provider); and the buttons that
 * disable or enable a person (disabling ends their sessions) and require 2FA of one person.
 */
public final class PeoplePages {
  private final WebPlatform web;

  public PeoplePages(WebPlatform web) {
    this.web = web;
  }

  public void list(PageContext p, UserStore.User me) {
    show(p, 200, AdminPages.takeNotice(p), new NewPerson("", "", false, "user"));
  }

  private void show(PageContext p, int status, Notice notice, NewPerson form) {
    String tenant = p.tenant().id();
    List<UserStore.User> users = web.users().list(tenant);
    Map<String, AccountView> views = AdminPages.accounts(p, users);
    PolicyStore.Policy policy = web.policies().get(tenant);
    List<PeopleView.Row> rows = users.stream().map(u -> new PeopleView.Row(p.path("/admin/people/person?u=" + u.username()),
        u.displayName(), u.username(), u.isAdmin(), u.external(), u.disabled(),
        AdminPages.twoFactor(u, views.get(u.username()), policy), u.twoFactorRequired(), AdminPages.buttons(p, u, "people")))
        .toList();
    List<Notice> notices = new java.util.ArrayList<>();
    notices.add(notice);
    notices.add(AdminPages.unreadNotice(users.size(), views.size()));
    notices.removeIf(java.util.Objects::isNull);
    PeopleView view = new PeopleView(p.tenant().displayName(), policy.mode() == PolicyStore.Mode.FORCED,
        p.path("/admin/policy"), notices, rows, p.path("/admin/people"), form, AdminPages.MAX_NAME, UserStore.MIN_PASSWORD,
        UserStore.MAX_PASSWORD);
    p.render(status, (out, layout) -> JtepeopleGenerated.render(out, null, layout, view));
  }

  public void create(PageContext p, UserStore.User me) {
    String username = Optional.ofNullable(p.form("username")).orElse("").toLowerCase(Locale.ROOT);
    String name = Optional.ofNullable(p.form("display_name")).orElse("");
    String password = p.routing().request().getFormAttribute("password"); // as typed: spaces count
    boolean external = "true".equals(p.form("external"));
    String role = "admin".equals(p.form("role")) ? "admin" : "user";
    NewPerson again = new NewPerson(username.length() > 64 ? "" : username, name.length() > AdminPages.MAX_NAME ? "" : name,
        external, role);
    String problem;
    if (username.length() > 64) {
      problem = "The username is too long: at most 64 characters.";
    } else if (!UserStore.USERNAME.matcher(username).matches()) {
      problem = "The username must be lowercase letters, digits or . _ @ -, starting with a letter or digit.";
    } else {
      problem = AdminPages.checkText(name, "The name", AdminPages.MAX_NAME);
    }
    if (problem == null && external && password != null && !password.isEmpty()) {
      problem = "A person who signs in through the identity provider has no password here: leave it empty.";
    } else if (problem == null && !external && (password == null || password.length() < UserStore.MIN_PASSWORD
        || password.length() > UserStore.MAX_PASSWORD)) {
      problem = "The initial password must be " + UserStore.MIN_PASSWORD + " to " + UserStore.MAX_PASSWORD + " characters.";
    }
    if (problem != null) {
      show(p, 400, Notice.error(problem), again);
      return;
    }
    UserStore.Role r = "admin".equals(role) ? UserStore.Role.ADMIN : UserStore.Role.USER;
    if (r == UserStore.Role.ADMIN && !RecentSecondFactor.demand(p, me)) {
      return;
    }
    Optional<UserStore.User> created = web.users().create(p.tenant().id(), username, name.strip(), external ? null : password,
        r, external, web.clock().instant());
    if (created.isEmpty()) {
      show(p, 409, Notice.error("Someone already has the username " + username + "."), again);
      return;
    }
    web.activity().recordAdminAction(p.tenant().id(), username, AdminPages.entry(p, me, "user-created",
        "Account created by an administrator (" + role + (external ? ", external sign-in" : "") + ")."));
    AdminPages.redirect(p, p.path("/admin/people/person?u=" + username), "created");
  }

  public void setDisabled(PageContext p, UserStore.User me) {
    Optional<UserStore.User> user = AdminPages.formPerson(p);
    boolean disable = "true".equals(p.form("disabled"));
    if (user.isEmpty()) {
      return;
    }
    UserStore.User u = user.get();
    if (disable && u.username().equals(me.username())) {
      AdminPages.redirect(p, back(p, u), "self");
      return;
    }
    web.users().setDisabled(p.tenant().id(), u.username(), disable);
    if (disable) {
      SignInFlow.endEverywhere(web, p.tenant().id(), u.username());
    }
    web.activity().recordAdminAction(p.tenant().id(), u.username(), AdminPages.entry(p, me,
        disable ? "user-disabled" : "user-enabled", disable ? "Account disabled by an administrator; signed out everywhere."
            : "Account enabled again by an administrator."));
    AdminPages.redirect(p, back(p, u), disable ? "disabled" : "enabled");
  }

  public void setRequired(PageContext p, UserStore.User me) {
    Optional<UserStore.User> user = AdminPages.formPerson(p);
    boolean required = "true".equals(p.form("required"));
    if (user.isEmpty()) {
      return;
    }
    UserStore.User u = user.get();
    web.users().setTwoFactorRequired(p.tenant().id(), u.username(), required);
    web.activity().recordAdminAction(p.tenant().id(), u.username(), AdminPages.entry(p, me, "2fa-required",
        required ? "An administrator requires 2FA for your account." : "An administrator no longer requires 2FA for your"
            + " account (the company policy still applies)."));
    AdminPages.redirect(p, back(p, u), required ? "required" : "not-required");
  }

  /** Back to the page the form was on: the person's page or the list. */
  private static String back(PageContext p, UserStore.User u) {
    return "person".equals(p.form("back")) ? p.path("/admin/people/person?u=" + u.username()) : p.path("/admin/people");
  }
}
