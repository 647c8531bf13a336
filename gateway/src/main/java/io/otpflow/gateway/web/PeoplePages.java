package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.otpflow.common.events.AccountView;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * /admin/people: the company's people with their role, sign-in kind, state and 2FA; a form that
 * creates one (a password, or sign-in through the external identity provider); and the buttons that
 * disable or enable a person (disabling ends their sessions) and require 2FA of one person.
 */
final class PeoplePages {
  private final WebPlatform web;

  PeoplePages(WebPlatform web) {
    this.web = web;
  }

  void register(WebRoutes routes) {
    routes.get("/admin/people", AdminPages.admin(this::list));
    routes.post("/admin/people", AdminPages.admin(this::create));
    routes.post("/admin/people/disabled", AdminPages.admin(this::setDisabled));
    routes.post("/admin/people/required", AdminPages.admin(this::setRequired));
    new PersonPage(web).register(routes);
  }

  private void list(PageContext p, UserStore.User me) {
    show(p, 200, AdminPages.takeNotice(p), new NewPerson("", "", false, "user"));
  }

  /** What the create form keeps when it is shown again (never the password). */
  private record NewPerson(String username, String displayName, boolean external, String role) {}

  private void show(PageContext p, int status, String notice, NewPerson form) {
    String tenant = p.tenant().id();
    List<UserStore.User> users = web.users().list(tenant);
    Map<String, AccountView> views = AdminPages.accounts(p, users);
    PolicyStore.Policy policy = web.policies().get(tenant);
    StringBuilder rows = new StringBuilder();
    for (UserStore.User u : users) {
      String person = p.path("/admin/people/person?u=" + u.username());
      rows.append("<tr><td><a href=\"").append(esc(person)).append("\"><b>").append(esc(u.displayName()))
          .append("</b></a><br><span class=\"small muted\">").append(esc(u.username()))
          .append("</span></td><td data-label=\"Role\">")
          .append(u.isAdmin() ? "<span class=\"badge info\">admin</span>" : "user").append("</td><td data-label=\"Sign-in\">")
          .append(u.external() ? "<span class=\"badge\">external IdP</span>" : "password").append("</td><td data-label=\"State\">")
          .append(u.disabled() ? "<span class=\"badge err\">disabled</span>" : "<span class=\"badge ok\">active</span>")
          .append("</td><td data-label=\"2FA\">").append(AdminPages.twoFactorBadge(u, views.get(u.username()), policy))
          .append(u.twoFactorRequired() ? "<br><span class=\"small muted\">required for this person</span>" : "")
          .append("</td><td class=\"actions\">")
          .append(disableButton(p, u, "people")).append(requireButton(p, u, "people")).append("</td></tr>");
    }
    p.render(status, "People", "<div class=\"page-head\"><h1>People</h1><p class=\"muted\">Everyone who signs in to "
        + esc(p.tenant().displayName()) + ", and how their sign-in is protected. Company policy: <b>"
        + (policy.mode() == PolicyStore.Mode.FORCED ? "2FA for everyone" : "2FA by choice") + "</b> (<a href=\""
        + esc(p.path("/admin/policy")) + "\">change</a>).</p></div>" + notice + AdminPages.unreadNotice(users.size(), views.size())
        + "<section class=\"card\"><h2>" + users.size() + (users.size() == 1 ? " person" : " people") + "</h2>"
        + "<div class=\"table-wrap\"><table class=\"people cards\"><thead><tr><th>Person</th><th>Role</th><th>Sign-in</th>"
        + "<th>State</th><th>2FA</th><th></th></tr></thead><tbody>" + rows + "</tbody></table></div></section>"
        + createForm(p, form));
  }

  private static String createForm(PageContext p, NewPerson f) {
    return "<section class=\"card\" id=\"add\"><h2>Add a person</h2><form method=\"post\" action=\""
        + esc(p.path("/admin/people")) + "\" class=\"stack\">" + p.csrfField()
        + "<div class=\"row top\"><div><label for=\"username\">Username</label><input id=\"username\" name=\"username\""
        + " required maxlength=\"64\" autocapitalize=\"none\" spellcheck=\"false\" autocomplete=\"off\" value=\""
        + esc(f.username()) + "\"><p class=\"small muted\">Lowercase letters, digits and . _ @ -</p></div>"
        + "<div><label for=\"display_name\">Name</label><input id=\"display_name\" name=\"display_name\" required maxlength=\""
        + AdminPages.MAX_NAME + "\" value=\"" + esc(f.displayName()) + "\"></div></div>"
        + "<div class=\"row top\"><div><label for=\"password\">Initial password</label><input id=\"password\" name=\"password\""
        + " type=\"password\" autocomplete=\"new-password\" maxlength=\"" + UserStore.MAX_PASSWORD + "\">"
        + "<p class=\"small muted\">At least " + UserStore.MIN_PASSWORD + " characters. Tell it to them in person; they"
        + " can change it later.</p></div><div><label for=\"role\">Role</label><select id=\"role\" name=\"role\">"
        + "<option value=\"user\"" + ("user".equals(f.role()) ? " selected" : "") + ">User</option>"
        + "<option value=\"admin\"" + ("admin".equals(f.role()) ? " selected" : "") + ">Administrator</option>"
        + "</select></div></div><label class=\"check\"><input type=\"checkbox\" name=\"external\" value=\"true\""
        + (f.external() ? " checked" : "") + "> Signs in through the external identity provider (no password here;"
        + " exempt from this 2FA)</label><button type=\"submit\" class=\"primary auto\">Add person</button></form></section>";
  }

  private void create(PageContext p, UserStore.User me) {
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
      show(p, 400, Html.notice("error", problem), again);
      return;
    }
    UserStore.Role r = "admin".equals(role) ? UserStore.Role.ADMIN : UserStore.Role.USER;
    if (r == UserStore.Role.ADMIN && !RecentSecondFactor.demand(p, me)) {
      return;
    }
    Optional<UserStore.User> created = web.users().create(p.tenant().id(), username, name.strip(), external ? null : password,
        r, external, web.clock().instant());
    if (created.isEmpty()) {
      show(p, 409, Html.notice("error", "Someone already has the username " + username + "."), again);
      return;
    }
    web.activity().recordAdminAction(p.tenant().id(), username, AdminPages.entry(p, me, "user-created",
        "Account created by an administrator (" + role + (external ? ", external sign-in" : "") + ")."));
    AdminPages.redirect(p, p.path("/admin/people/person?u=" + username), "created");
  }

  private void setDisabled(PageContext p, UserStore.User me) {
    Optional<UserStore.User> user = web.users().find(p.tenant().id(), p.form("u"));
    boolean disable = "true".equals(p.form("disabled"));
    if (user.isEmpty()) {
      AdminPages.redirect(p, p.path("/admin/people"), "no-person");
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

  private void setRequired(PageContext p, UserStore.User me) {
    Optional<UserStore.User> user = web.users().find(p.tenant().id(), p.form("u"));
    boolean required = "true".equals(p.form("required"));
    if (user.isEmpty()) {
      AdminPages.redirect(p, p.path("/admin/people"), "no-person");
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

  static String disableButton(PageContext p, UserStore.User u, String back) {
    return "<form method=\"post\" action=\"" + esc(p.path("/admin/people/disabled")) + "\" class=\"inline\">"
        + p.csrfField() + hidden("u", u.username()) + hidden("back", back) + hidden("disabled", Boolean.toString(!u.disabled()))
        + "<button type=\"submit\" class=\"small" + (u.disabled() ? "" : " danger") + "\">"
        + (u.disabled() ? "Enable" : "Disable") + "</button></form>";
  }

  static String requireButton(PageContext p, UserStore.User u, String back) {
    if (u.external()) {
      return "";
    }
    return "<form method=\"post\" action=\"" + esc(p.path("/admin/people/required")) + "\" class=\"inline\">"
        + p.csrfField() + hidden("u", u.username()) + hidden("back", back)
        + hidden("required", Boolean.toString(!u.twoFactorRequired())) + "<button type=\"submit\" class=\"small\">"
        + (u.twoFactorRequired() ? "Stop requiring 2FA" : "Require 2FA") + "</button></form>";
  }

  static String hidden(String name, String value) {
    return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
  }
}
