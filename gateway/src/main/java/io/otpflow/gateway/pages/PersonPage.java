package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.PolicyStore;
import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtepersonGenerated;

import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.platform.PlatformCalls;
import io.otpflow.gateway.pages.view.Message;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.PersonView;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * /admin/people/person?u=…: one person, their factors and push devices from the account registry,
 * a form per factor that removes it with a reason (an admin proof: the verifier records the reason in
 * the account's audit events, and the page records it in the person's activity, which their security
 * page shows them, and in the company's audit log), and their recent activity.
 */
public final class PersonPage {
  private static final Pattern FACTOR_ID = Pattern.compile("(FA|DV)[0-9a-f]{32}");
  private static final int ACTIVITY = 25;

  private final WebPlatform web;

  public PersonPage(WebPlatform web) {
    this.web = web;
  }

  public void show(PageContext p, UserStore.User me) {
    Optional<UserStore.User> found = web.users().find(p.tenant().id(), p.form("u"));
    if (found.isEmpty()) {
      p.render(404, WebRoutes.message(Message.card("No such person", null, null,
          new Message.Link(p.path("/admin/people"), "Back to people"))));
      return;
    }
    show(p, 200, found.get(), AdminPages.takeNotice(p));
  }

  private void show(PageContext p, int status, UserStore.User u, Notice notice) {
    AccountView view = SignInFlow.account(p, u);
    PolicyStore.Policy policy = web.policies().get(p.tenant().id());
    boolean self = u.username().equals(p.session().username());
    String methods = AdminPages.methods(SignInFlow.activeFactors(view));
    AccountView.RecoveryCodes rc = view.recoveryCodes();
    PersonView page = new PersonView(p.path("/admin/people"), u.displayName(), u.username(), u.isAdmin(), u.external(),
        notice, u.disabled(), methods.isEmpty() ? "None" : methods,
        policy.requires(u) ? "Required" : u.external() ? "Exempt" : "Optional", AdminPages.when(u.lastSignInAt()),
        AdminPages.buttons(p, u, "person"), self ? p.path("/security") : null, factors(view.factors()),
        factors(view.devices()), rc == null || rc.createdAt() == null ? "None generated."
            : rc.remaining() + " unused, generated " + AdminPages.when(rc.createdAt()) + ", last used "
                + (rc.lastUsedAt() == null ? "never" : AdminPages.when(rc.lastUsedAt())) + ".",
        self ? null : p.path("/admin/people/remove"), AdminPages.MAX_REASON, PasswordResetPage.form(p, u),
        AdminPages.log(web.activity().recent(p.tenant().id(), u.username(), ACTIVITY)));
    p.render(status, (out, layout) -> JtepersonGenerated.render(out, null, layout, page));
  }

  private static List<PersonView.Factor> factors(List<AccountView.Factor> factors) {
    return factors.stream().map(f -> new PersonView.Factor(f.id(), describe(f), "active".equals(f.status()),
        AdminPages.when(f.createdAt()), f.lastUsedAt() == null ? "never" : AdminPages.when(f.lastUsedAt()))).toList();
  }

  /** "Authenticator app “Work phone”", "Phone +1 ••• 0123", "Push device Pixel 8 (fcm)". */
  static String describe(AccountView.Factor f) {
    String label = f.label() == null ? "" : " “" + f.label() + "”";
    return switch (f.type()) {
      case "totp" -> "Authenticator app" + label;
      case "phone" -> "Phone " + (f.phone() == null ? "" : f.phone()) + label;
      case "device" -> "Push device " + (f.name() == null ? "" : f.name()) + label
          + (f.platform() == null ? "" : " (" + f.platform() + ")");
      default -> f.type() + label;
    };
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  public void remove(PageContext p, UserStore.User me) {
    if (!RecentSecondFactor.demand(p, me)) {
      return;
    }
    Optional<UserStore.User> found = AdminPages.formPerson(p);
    if (found.isEmpty()) {
      return;
    }
    UserStore.User u = found.get();
    if (u.username().equals(me.username())) {
      // An admin's removal needs only a reason. For their own factors that would be a way round the code
      // the security page asks for: a session left open could strip the admin's 2FA, then add its own.
      show(p, 403, u, Notice.error("Your own factors are removed on your security page, with a code."
          + " Nothing was removed."));
      return;
    }
    String id = Optional.ofNullable(p.form("id")).orElse("");
    String reason = p.form("reason");
    String problem = FACTOR_ID.matcher(id).matches() ? AdminPages.checkText(reason, "The reason", AdminPages.MAX_REASON)
        : "Choose a factor or device to remove.";
    if (problem != null) {
      show(p, 400, u, Notice.error(problem + " Nothing was removed."));
      return;
    }
    AccountView before = SignInFlow.account(p, u);
    AccountView.Factor factor = PlatformCalls.find(before, id);
    if (factor == null) {
      AdminPages.redirect(p, p.path("/admin/people/person?u=" + u.username()), "gone");
      return;
    }
    AccountReply reply = p.await(web.calls().remove(p.tenant(), u.account(), id, PlatformCalls.Proof.admin(reason)));
    String refused = switch (reply) {
      case AccountReply.Done d -> null;
      case AccountReply.NotFound n -> "";
      case AccountReply.ProofRefused r -> "The registry refused the change (" + r.reason() + ").";
      case AccountReply.Locked l -> "The account is locked for " + l.retryAfterSeconds() + " s; try again then.";
      case AccountReply.Denied d -> "The registry refused the change.";
      case AccountReply.Rejected r -> "The registry refused the change: " + r.detail();
      case AccountReply.Unavailable un -> throw new PageContext.PlatformUnavailable(new IllegalStateException(un.reason()));
    };
    if ("".equals(refused)) {
      AdminPages.redirect(p, p.path("/admin/people/person?u=" + u.username()), "gone");
      return;
    }
    if (refused != null) {
      show(p, 409, u, Notice.error(refused + " Nothing was removed."));
      return;
    }
    // A browser trusted with the removed factor must not skip the factor that replaces it.
    TrustedBrowsers.revokeAll(web.redis(), p.tenant().id(), u.username());
    web.activity().recordAdminAction(p.tenant().id(), u.username(), AdminPages.entry(p, me, "factor-removed",
        "An administrator removed your " + lowerFirst(describe(factor)) + ". Reason: " + reason));
    AdminPages.redirect(p, p.path("/admin/people/person?u=" + u.username()), "removed");
  }
}
