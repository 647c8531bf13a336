package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.UserStore;

import io.otpflow.common.accounts.StoredFactor;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountView;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.gateway.platform.PlatformCalls;
import io.otpflow.gateway.pages.view.ChangeView;

/**
 * The proof a change on the security page needs, from its form: an authenticator-app code or a
 * recovery code ({@link PlatformCalls.Proof#code}), or the code of an SMS the page sent to the
 * person's confirmed phone, which the verifier checks first and whose approved verification is the
 * proof ({@link PlatformCalls.Proof#verification}). The pending SMS is a session attribute.
 */
final class Proofs {
  static final String SMS = "proof_vid";

  record Result(PlatformCalls.Proof proof, String error) {}

  private Proofs() {}

  /** The proof form: a code field, and "text me a code" when the person has a confirmed phone. */
  static ChangeView.ProofForm form(PageContext p, AccountView view, String path, String id, String button) {
    boolean sms = p.session().attribute(SMS) != null;
    AccountView.Factor phone = phone(view);
    return new ChangeView.ProofForm(p.path(path), id, sms && phone != null ? phone.phone() : null, button,
        phone == null ? null : p.path("/security/proof-sms"), path, sms);
  }

  static AccountView.Factor phone(AccountView view) {
    return view.factors().stream().filter(f -> StoredFactor.PHONE.equals(f.type()) && "active".equals(f.status()))
        .findFirst().orElse(null);
  }

  /** Sends the SMS whose code will be the proof; an error text, or null when it went. */
  static String sendSms(PageContext p, UserStore.User user, AccountView view) {
    AccountView.Factor phone = phone(view);
    if (phone == null) {
      return "You have no confirmed phone number.";
    }
    String id = p.web().calls().newVerificationId();
    IssuerReply reply = p.await(p.web().calls().send(p.tenant(), id,
        PlatformCalls.Send.toAccount("sms", user.account(), phone.id(), null, null, null, null)));
    return switch (reply) {
      case IssuerReply.Created c -> {
        p.updateSession(p.web().sessions().withAttribute(p.session(), SMS, c.verification().id()));
        yield null;
      }
      case IssuerReply.Found f -> null;
      case IssuerReply.RateLimited r -> "Too many codes were sent. Try again in " + SignInPages.minutes(r.retryAfterSeconds()) + ".";
      case IssuerReply.NotFound n -> "The text message could not be sent.";
      case IssuerReply.Rejected r -> "The text message could not be sent (" + r.errorCode() + ").";
      case IssuerReply.Unavailable u -> throw new PageContext.PlatformUnavailable(new IllegalStateException(u.reason()));
    };
  }

  /** The form's proof, or why there is none (nothing is changed then). */
  static Result fromForm(PageContext p, UserStore.User user) {
    String code = p.form("code");
    String vid = p.session().attribute(SMS);
    if (code == null || code.isEmpty()) {
      return new Result(null, "Enter a code to confirm it's you. Nothing was changed.");
    }
    if ("sms".equals(p.form("via")) && vid != null) {
      if (!SecondFactor.DIGITS.matcher(code).matches()) {
        return new Result(null, "Enter the code from the text message: digits only. Nothing was changed.");
      }
      CheckReply reply = p.await(p.web().calls().check(p.tenant(), vid, code));
      String error = switch (reply) {
        case CheckReply.Approved a -> null;
        case CheckReply.Denied d -> "That code is wrong (" + d.attemptsLeft() + " attempts left). Nothing was changed.";
        case CheckReply.Locked l -> {
          SecondFactor.rememberLock(p, user.username(), l.retryAfterSeconds());
          yield l.retryAfterSeconds() > 0 ? SecondFactor.lockMessage(l.retryAfterSeconds()) : "Too many wrong tries: send a new code.";
        }
        case CheckReply.Expired e -> "That code has expired: send a new one. Nothing was changed.";
        case CheckReply.NotPending n -> "That code was used already: send a new one. Nothing was changed.";
        case CheckReply.NotFound n -> "That code has expired: send a new one. Nothing was changed.";
        case CheckReply.Declined d -> "That code cannot be used. Nothing was changed.";
        case CheckReply.Refused r -> "That code cannot be used. Nothing was changed.";
        case CheckReply.Unavailable u -> throw new PageContext.PlatformUnavailable(new IllegalStateException(u.reason()));
      };
      if (error == null || !(reply instanceof CheckReply.Denied)) {
        p.updateSession(p.web().sessions().withAttribute(p.session(), SMS, null));
      }
      return error == null ? new Result(PlatformCalls.Proof.verification(vid), null) : new Result(null, error);
    }
    PlatformCalls.Proof proof = PlatformCalls.Proof.code(code.replace(" ", ""));
    if (!proof.wellFormed()) {
      return new Result(null, "That is not a code from your app or a recovery code. Nothing was changed.");
    }
    return new Result(proof, null);
  }

  /** The registry's refusal of a change, for the person. */
  static String refusal(PageContext p, UserStore.User user, AccountReply reply) {
    return switch (reply) {
      case AccountReply.ProofRefused r -> "proof-required".equals(r.reason()) ? "This change needs a code. Nothing was changed."
          : "That code is not valid (wrong, expired or used already), so nothing was changed.";
      case AccountReply.Locked l -> {
        SecondFactor.rememberLock(p, user.username(), l.retryAfterSeconds());
        yield SecondFactor.lockMessage(l.retryAfterSeconds()) + " Nothing was changed.";
      }
      default -> Enrolment.refusal(reply);
    };
  }
}
