package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.PolicyStore;
import io.otpflow.gateway.store.UserStore;

import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountView;
import io.otpflow.gateway.pages.view.AdminParts;
import io.otpflow.gateway.pages.view.Message;
import io.otpflow.gateway.pages.view.Notice;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * The company admin pages (people, one person, policy, 2FA report) and the operator page, for the
 * admins of the tenant in the path: {@link #admin} lets only a signed-in, enabled admin through and
 * gives everyone else a 403 page. Every change an admin makes is recorded with
 * {@link ActivityLog#recordAdminAction} (the person sees it on their security page) and lands in the
 * company's audit log. Usernames travel as a query parameter ({@code ?u=}), never in the path, so the
 * error log, which names the path, never holds one.
 */
public final class AdminPages {
  /** Session attribute: the key of a one-time notice left by the last admin form (see {@link #NOTICES}). */
  static final String NOTICE = "admin-notice";
  /** Printable text: no control or format characters, no lone surrogates (as the JSON API demands of reasons). */
  static final Pattern TEXT = Pattern.compile("[^\\p{Cntrl}\\p{Cf}\\p{Cs}]+");
  static final int MAX_NAME = 100;
  static final int MAX_REASON = 500;
  /** Accounts read at once from the registry: one Kafka request each. */
  static final int IN_FLIGHT = 16;
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
  /** What a redirect may announce: fixed texts, so nothing from a request is echoed through the session. */
  static final Map<String, String> NOTICES = Map.ofEntries(
      Map.entry("created", "ok:The person was created. They can sign in now."),
      Map.entry("disabled", "ok:The person is disabled and signed out everywhere."),
      Map.entry("enabled", "ok:The person is enabled again."),
      Map.entry("required", "ok:2FA is now required for this person."),
      Map.entry("not-required", "ok:2FA is no longer required for this person (the company policy still applies)."),
      Map.entry("removed", "ok:Removed. The person is told on their security page."),
      Map.entry("gone", "info:That factor or device was removed already."),
      Map.entry("self", "error:You cannot disable yourself: ask another administrator."),
      Map.entry("no-person", "error:There is no such person."),
      Map.entry("policy", "ok:The policy is saved. It applies from each person's next sign-in."),
      Map.entry(PasswordResetPage.NOTICE_KEY, "ok:The new password is set. The person is signed out everywhere and told."),
      Map.entry("self-password", "error:Change your own password on your security page."),
      Map.entry("external-password", "error:This person signs in through the identity provider: no password here."),
      Map.entry("password-length", "error:The password must be " + UserStore.MIN_PASSWORD + " to "
          + UserStore.MAX_PASSWORD + " characters. Nothing was changed."));

  private AdminPages() {}

  /** A page only for this company's admins: they get the admin (the signed-in person). */
  @FunctionalInterface
  public interface AdminHandler {
    void handle(PageContext page, UserStore.User admin) throws Exception;
  }

  public static WebRoutes.PageHandler admin(AdminHandler handler) {
    return p -> {
      if (!p.session().signedIn()) {
        p.redirect(p.path("/sign-in"));
        return;
      }
      UserStore.User me = p.user();
      if (me == null || !me.isAdmin() || me.disabled()) {
        p.render(403, WebRoutes.message(new Message("Not allowed", "Not allowed", null,
            "Only the company's administrators can open this page.",
            new Message.Link(p.path("/security"), "Back to your security page"), true)));
        return;
      }
      handler.handle(p, me);
    };
  }

  /**
   * The person the form names ({@code u}), or empty after sending the admin back to the list with
   * "There is no such person" (the caller just returns).
   */
  static Optional<UserStore.User> formPerson(PageContext p) {
    Optional<UserStore.User> found = p.web().users().find(p.tenant().id(), p.form("u"));
    if (found.isEmpty()) {
      redirect(p, p.path("/admin/people"), "no-person");
    }
    return found;
  }

  /** Redirects (303) and leaves the notice {@code key} for the next page. */
  static void redirect(PageContext p, String location, String key) {
    p.updateSession(p.web().sessions().withAttribute(p.session(), NOTICE, key));
    p.redirect(location);
  }

  /** The one-time notice left for this page, or null; taken from the session before the page renders. */
  static Notice takeNotice(PageContext p) {
    String key = p.session().attribute(NOTICE);
    if (key == null) {
      return null;
    }
    p.updateSession(p.web().sessions().withAttribute(p.session(), NOTICE, null));
    String n = NOTICES.get(key);
    return n == null ? null : new Notice(Notice.Kind.valueOf(n.substring(0, n.indexOf(':')).toUpperCase(java.util.Locale.ROOT)),
        n.substring(n.indexOf(':') + 1));
  }

  static String when(Instant t) {
    return t == null ? "—" : WHEN.format(t) + " UTC";
  }

  /** The machine form of a time for CSV: ISO-8601, or empty. */
  static String iso(Instant t) {
    return t == null ? "" : t.toString();
  }

  /** Validates printable text of 1-max characters; the problem in words, or null when fine. */
  static String checkText(String value, String what, int max) {
    if (value == null || value.isBlank()) {
      return what + " is required.";
    }
    if (value.length() > max) {
      return what + " is too long: at most " + max + " characters (this one has " + value.length() + ").";
    }
    if (!TEXT.matcher(value).matches()) {
      return what + " may not contain control or invisible formatting characters.";
    }
    return null;
  }

  /** An activity entry by this admin, from this browser. */
  static ActivityLog.Entry entry(PageContext p, UserStore.User admin, String kind, String detail) {
    return new ActivityLog.Entry(p.web().clock().instant(), kind, "admin:" + admin.username(), detail, p.clientIp());
  }

  /**
   * Every person's account from the registry, at most {@link #IN_FLIGHT} requests at once. A person
   * whose account could not be read in time is missing from the map (the page says "unknown"); once
   * one request has timed out, no more are sent, so a registry that is down costs one timeout, not one
   * per {@link #IN_FLIGHT} people.
   */
  static Map<String, AccountView> accounts(PageContext p, List<UserStore.User> users) {
    Semaphore slots = new Semaphore(IN_FLIGHT);
    AtomicBoolean down = new AtomicBoolean();
    Map<String, CompletableFuture<AccountReply>> calls = new HashMap<>();
    for (UserStore.User u : users) {
      slots.acquireUninterruptibly();
      if (down.get()) {
        slots.release();
        break;
      }
      CompletableFuture<AccountReply> call = p.web().calls().account(p.tenant(), u.account());
      call.whenComplete((r, e) -> {
        if (e != null) {
          down.set(true);
        }
        slots.release();
      });
      calls.put(u.username(), call);
    }
    Map<String, AccountView> views = new HashMap<>();
    for (UserStore.User u : users) {
      if (!calls.containsKey(u.username())) {
        continue;
      }
      try {
        AccountReply reply = p.await(calls.get(u.username()));
        switch (reply) {
          case AccountReply.Done d -> views.put(u.username(), d.account());
          case AccountReply.NotFound n -> views.put(u.username(), new AccountView(u.account(), List.of(), List.of(),
              new AccountView.RecoveryCodes(0, null, null)));
          case AccountReply.Denied d -> { }
          case AccountReply.ProofRefused r -> { }
          case AccountReply.Locked l -> { }
          case AccountReply.Rejected r -> { }
          case AccountReply.Unavailable un -> { }
        }
      } catch (PageContext.PlatformUnavailable e) {
        // left out: shown as unknown
      }
    }
    return views;
  }

  /** A warning when the registry did not answer for some people, or null. */
  static Notice unreadNotice(int people, int read) {
    return read >= people ? null : Notice.warn("The account registry did not answer in time for " + (people - read)
        + " of " + people + " people: their 2FA shows as unknown. Reload the page to try again.");
  }

  /** The person's 2FA for a badge: on (with which methods), required but missing, off, exempt. */
  static AdminParts.TwoFactor twoFactor(UserStore.User u, AccountView view, PolicyStore.Policy policy) {
    if (view == null) {
      return new AdminParts.TwoFactor(AdminParts.TwoFactor.State.UNKNOWN, null);
    }
    List<AccountView.Factor> active = SignInFlow.activeFactors(view);
    if (!active.isEmpty()) {
      return new AdminParts.TwoFactor(AdminParts.TwoFactor.State.ON, methods(active));
    }
    if (u.external()) {
      return new AdminParts.TwoFactor(AdminParts.TwoFactor.State.EXEMPT, null);
    }
    return new AdminParts.TwoFactor(policy.requires(u) ? AdminParts.TwoFactor.State.REQUIRED : AdminParts.TwoFactor.State.OFF,
        null);
  }

  /** The disable and require-2FA buttons of a person, returning to {@code back} ("people" or "person"). */
  static AdminParts.Buttons buttons(PageContext p, UserStore.User u, String back) {
    return new AdminParts.Buttons(u.username(), back, u.disabled(), u.external(), u.twoFactorRequired(),
        p.path("/admin/people/disabled"), p.path("/admin/people/required"));
  }

  /** Activity entries as log lines: an admin's show as "admin NAME". */
  static List<AdminParts.LogLine> log(List<ActivityLog.Entry> entries) {
    return entries.stream().map(e -> new AdminParts.LogLine(when(e.at()), e.detail(), e.byAdmin(),
        e.byAdmin() ? "admin " + e.actor().substring("admin:".length()) : e.actor(), e.ip() == null ? "—" : e.ip())).toList();
  }

  /** "app, phone, 2 push devices". */
  static String methods(List<AccountView.Factor> active) {
    long apps = active.stream().filter(f -> "totp".equals(f.type())).count();
    long phones = active.stream().filter(f -> "phone".equals(f.type())).count();
    long devices = active.stream().filter(f -> "device".equals(f.type())).count();
    StringBuilder b = new StringBuilder();
    if (apps > 0) {
      b.append(apps == 1 ? "app" : apps + " apps");
    }
    if (phones > 0) {
      b.append(b.isEmpty() ? "" : ", ").append(phones == 1 ? "phone" : phones + " phones");
    }
    if (devices > 0) {
      b.append(b.isEmpty() ? "" : ", ").append(devices).append(devices == 1 ? " push device" : " push devices");
    }
    return b.toString();
  }
}
