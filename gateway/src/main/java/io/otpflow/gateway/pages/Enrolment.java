package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.UserStore;

import io.otpflow.common.Base32;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountView;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.gateway.platform.PhoneNumbers;
import io.otpflow.gateway.platform.PlatformCalls;
import io.otpflow.gateway.platform.QrCodes;
import io.otpflow.gateway.pages.view.EnrolView;
import io.otpflow.gateway.pages.view.PhoneFormView;
import java.util.List;

/**
 * Adding an authenticator app or a phone number, for the setup page and the security page alike:
 * start the enrolment, show what the person needs (the QR code and the key, in this response only:
 * pages are no-store and the key is never kept by the gateway), confirm it with a code. The pending
 * factor's id is a session attribute, so a page reload replaces the enrolment instead of piling up
 * pending ones. The first factor of an account that has nothing yet also gets recovery codes, made
 * just before the confirmation (the registry takes them without proof only while the account has no
 * active factor), to be shown once on the next page.
 */
final class Enrolment {
  static final String FACTOR = "enrol_factor";
  /** Countries offered for phone numbers (others can be typed with +); the tenant's region is preselected. */
  static final List<String[]> COUNTRIES = List.of(new String[] {"US", "United States (+1)"},
      new String[] {"CA", "Canada (+1)"}, new String[] {"GB", "United Kingdom (+44)"}, new String[] {"DE", "Germany (+49)"},
      new String[] {"FR", "France (+33)"}, new String[] {"NL", "Netherlands (+31)"}, new String[] {"ES", "Spain (+34)"},
      new String[] {"IT", "Italy (+39)"}, new String[] {"CH", "Switzerland (+41)"}, new String[] {"SE", "Sweden (+46)"},
      new String[] {"IN", "India (+91)"}, new String[] {"AU", "Australia (+61)"}, new String[] {"BR", "Brazil (+55)"},
      new String[] {"JP", "Japan (+81)"});

  /** What a confirmation came to: null error on success, with the recovery codes when some were made. */
  record Confirmed(String error, List<String> recoveryCodes, boolean locked) {}

  private Enrolment() {}

  /** What starting an app enrolment came to: what the app needs, or why there is nothing to show. */
  record AppStart(EnrolView.App app, String error) {}

  /** Starts an app enrolment: the QR code and key, in this response only. */
  static AppStart startApp(PageContext p, UserStore.User user) {
    dropPending(p, user);
    PlatformCalls.TotpEnrollment e = p.await(p.web().calls().enrollTotp(p.tenant(), user.account(), "Authenticator app"));
    if (!(e.reply() instanceof AccountReply.Done)) {
      return new AppStart(null, refusal(e.reply()));
    }
    keep(p, e.factorId());
    // The app shows the person's username, not their registry account (~username, HostedAccounts).
    String uri = PlatformCalls.otpauthUri(p.tenant(), user.username(), e.secret(), p.tenant().totp());
    return new AppStart(new EnrolView.App(QrCodes.png(uri), Base32.grouped(e.secret()), e.secret()), null);
  }

  /** Starts a phone enrolment (a confirmation SMS): the masked number it went to, or null with {@code error} set. */
  static String startPhone(PageContext p, UserStore.User user, String[] error) {
    String region = p.form("country");
    java.util.Optional<String> e164 = PhoneNumbers.toE164(p.form("phone"), region == null ? p.tenant().defaultRegion() : region);
    if (e164.isEmpty()) {
      error[0] = "That is not a valid phone number for the country chosen.";
      return null;
    }
    dropPending(p, user);
    PlatformCalls.PhoneEnrollment e = p.await(p.web().calls().enrollPhone(p.tenant(), user.account(), e164.get(), "Phone"));
    if (!(e.reply() instanceof AccountReply.Done)) {
      error[0] = refusal(e.reply());
      return null;
    }
    keep(p, e.factorId());
    switch (e.sent()) {
      case IssuerReply.Created c -> {}
      case IssuerReply.Found f -> {}
      case IssuerReply.RateLimited r -> {
        error[0] = "Too many codes were sent to that number. Try again in " + SignInPages.minutes(r.retryAfterSeconds()) + ".";
        return null;
      }
      case IssuerReply.NotFound n -> error[0] = "The code could not be sent. Try again.";
      case IssuerReply.Rejected r -> error[0] = "The code could not be sent (" + r.errorCode() + ").";
      case IssuerReply.Unavailable u -> throw new PageContext.PlatformUnavailable(new IllegalStateException(u.reason()));
    }
    if (error[0] != null) {
      return null;
    }
    return io.otpflow.common.PhoneMask.mask(e164.get());
  }

  /** Confirms the session's pending enrolment with {@code code}. */
  static Confirmed confirm(PageContext p, UserStore.User user, String code) {
    String factorId = p.session().attribute(FACTOR);
    if (factorId == null) {
      return new Confirmed("This setup has expired. Start again.", null, false);
    }
    if (code == null || !SecondFactor.DIGITS.matcher(code).matches()) {
      return new Confirmed("Enter the code: digits only.", null, false);
    }
    AccountView before = SignInFlow.account(p, user);
    List<String> codes = null;
    if (!SignInFlow.hasTwoFactor(before) && before.recoveryCodes().remaining() == 0) {
      PlatformCalls.RecoveryCodeSet set = p.await(p.web().calls().generateRecoveryCodes(p.tenant(), user.account(),
          new PlatformCalls.Proof(null, null, false, null)));
      codes = set.reply() instanceof AccountReply.Done ? set.codes() : null;
    }
    AccountReply reply = p.await(p.web().calls().confirm(p.tenant(), user.account(), factorId, code));
    return switch (reply) {
      case AccountReply.Done d -> {
        p.updateSession(p.web().sessions().withAttribute(p.session(), FACTOR, null));
        p.web().activity().record(p.tenant().id(), user.username(), new ActivityLog.Entry(p.web().clock().instant(),
            "factor-added", user.username(), describe(PlatformCalls.find(d.account(), factorId)) + " added.", p.clientIp()));
        yield new Confirmed(null, codes, false);
      }
      case AccountReply.Denied d -> new Confirmed(d.attemptsLeft() > 0 ? "That code is wrong. " + d.attemptsLeft()
          + " attempts left." : "That code is wrong and no attempts are left. Start again.", null, false);
      case AccountReply.Locked l -> new Confirmed(SecondFactor.lockMessage(l.retryAfterSeconds()), null, true);
      case AccountReply.NotFound n -> new Confirmed("This setup has expired. Start again.", null, false);
      case AccountReply.ProofRefused r -> new Confirmed("That change needs a code.", null, false);
      case AccountReply.Rejected r -> new Confirmed(refusal(r), null, false);
      case AccountReply.Unavailable u -> throw new PageContext.PlatformUnavailable(new IllegalStateException(u.reason()));
    };
  }

  /** "Authenticator app", "Phone +141******71", "Pixel 8 (push)". */
  static String describe(AccountView.Factor f) {
    if (f == null) {
      return "A factor";
    }
    return switch (f.type()) {
      case "totp" -> "Authenticator app";
      case "phone" -> "Phone " + f.phone();
      default -> (f.name() != null ? f.name() : "A device") + (f.label() != null ? " (" + f.label() + ")" : "");
    };
  }

  /** The phone form posting to {@code action}, its hidden "action" field set to {@code step}. */
  static PhoneFormView phoneForm(PageContext p, String action, String step) {
    return new PhoneFormView(action, step, COUNTRIES.stream()
        .map(c -> new PhoneFormView.Country(c[0], c[1], c[0].equals(p.tenant().defaultRegion()))).toList());
  }

  private static void keep(PageContext p, String factorId) {
    p.updateSession(p.web().sessions().withAttribute(p.session(), FACTOR, factorId));
  }

  /** Removes the session's earlier, unconfirmed enrolment (no proof needed for a pending factor). */
  private static void dropPending(PageContext p, UserStore.User user) {
    String old = p.session().attribute(FACTOR);
    if (old != null) {
      p.await(p.web().calls().remove(p.tenant(), user.account(), old, new PlatformCalls.Proof(null, null, false, null)));
      keep(p, null);
    }
  }

  static String refusal(AccountReply r) {
    return switch (r) {
      case AccountReply.Rejected x when "factor-limit".equals(x.errorCode()) -> "You have the most factors allowed. Remove one first.";
      case AccountReply.Rejected x when "factor-exists".equals(x.errorCode()) -> "That is set up already.";
      case AccountReply.Rejected x -> "That could not be done (" + x.errorCode() + ").";
      case AccountReply.Locked l -> SecondFactor.lockMessage(l.retryAfterSeconds());
      case AccountReply.ProofRefused x -> "That needs a valid code.";
      case AccountReply.Denied d -> "That code is wrong.";
      case AccountReply.NotFound n -> "That is not set up any more.";
      case AccountReply.Done d -> "Done.";
      case AccountReply.Unavailable u -> throw new PageContext.PlatformUnavailable(new IllegalStateException(u.reason()));
    };
  }
}
