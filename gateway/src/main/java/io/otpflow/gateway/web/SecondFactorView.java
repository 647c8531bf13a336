package io.otpflow.gateway.web;

import static io.otpflow.gateway.web.Html.esc;

import io.otpflow.common.events.VerificationView;
import io.otpflow.gateway.web.SecondFactor.Method;
import java.util.List;

/** The HTML of the second-factor page: the chosen way, then "Try another way". */
final class SecondFactorView {
  private SecondFactorView() {}

  static String page(PageContext p, UserStore.User user, List<Method> methods, Method m, String error, long locked,
      String vid, VerificationView push) {
    String action = esc(p.path("/sign-in/verify"));
    StringBuilder b = new StringBuilder("<section class=\"card narrow verify\"><h1>Verify it's you</h1>")
        .append("<p class=\"muted\">Signing in to ").append(esc(p.tenant().displayName())).append(" as <b>")
        .append(esc(user.username())).append("</b></p>");
    if (locked > 0) {
      b.append(Html.notice("error", SecondFactor.lockMessage(locked)));
    } else {
      b.append(Html.notice("error", error));
    }
    if (m == null) {
      b.append("<p>No way to verify is set up for you. Ask your administrator for help.</p>");
    } else if (locked == 0) {
      b.append(switch (m.key()) {
        case "totp" -> codeForm(p, action, "Open your authenticator app and enter the code it shows for "
            + p.tenant().displayName() + ".", "numeric", "one-time-code", "", "Verify");
        case "recovery_code" -> codeForm(p, action, "Enter one of the recovery codes you saved when you set up"
            + " two-step verification. Each code works once.", "text", "off", "xxxxx-xxxxx", "Verify");
        case "sms" -> vid == null ? start(p, action, m, "We will text a code to " + phone(m) + ".", "Text me a code")
            : codeForm(p, action, "We texted a code to " + phone(m) + ". It is valid for a few minutes.", "numeric",
                "one-time-code", "", "Verify") + resend(p, action);
        default -> push(p, action, m, vid, push);
      });
    }
    List<Method> others = methods.stream().filter(x -> m == null || !x.key().equals(m.key())).toList();
    if (!others.isEmpty() && locked == 0) {
      b.append("<h2 class=\"other\">Try another way</h2><ul class=\"choices\">");
      for (Method o : others) {
        b.append("<li><form method=\"post\" action=\"").append(action).append("\">").append(p.csrfField())
            .append("<input type=\"hidden\" name=\"action\" value=\"choose\">")
            .append("<input type=\"hidden\" name=\"method\" value=\"").append(esc(o.key())).append("\">")
            .append("<button type=\"submit\">").append(esc(o.title())).append("<span class=\"hint\">")
            .append(esc(o.hint())).append("</span></button></form></li>");
      }
      b.append("</ul>");
    }
    b.append("<form method=\"post\" action=\"").append(esc(p.path("/sign-out"))).append("\" class=\"start-over\">")
        .append(p.csrfField()).append("<button class=\"link\" type=\"submit\">Not you? Start over</button></form>");
    return b.append("</section>").toString();
  }

  private static String phone(Method m) {
    return m.hint().startsWith("A code to ") ? m.hint().substring("A code to ".length()) : "your phone";
  }

  private static String codeForm(PageContext p, String action, String lead, String inputMode, String autocomplete,
      String placeholder, String button) {
    boolean numeric = "numeric".equals(inputMode);
    return "<p>" + esc(lead) + "</p><form method=\"post\" action=\"" + action + "\">" + p.csrfField()
        + "<input type=\"hidden\" name=\"action\" value=\"code\">"
        + "<label for=\"code\">" + (numeric ? "Code" : "Recovery code") + "</label>"
        + "<input id=\"code\" name=\"code\" class=\"code\" required autofocus autocomplete=\"" + autocomplete + "\""
        + " inputmode=\"" + inputMode + "\" autocapitalize=\"none\" spellcheck=\"false\" maxlength=\"" + (numeric ? 10 : 20) + "\""
        + (numeric ? " pattern=\"[0-9]{4,10}\"" : "") + (placeholder.isEmpty() ? "" : " placeholder=\"" + esc(placeholder) + "\"") + ">"
        + trust() + "<button type=\"submit\" class=\"primary\">" + esc(button) + "</button></form>";
  }

  private static String trust() {
    return "<label class=\"check\"><input type=\"checkbox\" name=\"trust\" value=\"1\"> Trust this browser for 30 days</label>"
        + "<p class=\"small muted\">Only on a device you use alone. You will still need your password.</p>";
  }

  private static String start(PageContext p, String action, Method m, String lead, String button) {
    return "<p>" + esc(lead) + "</p><form method=\"post\" action=\"" + action + "\">" + p.csrfField()
        + "<input type=\"hidden\" name=\"action\" value=\"choose\">"
        + "<input type=\"hidden\" name=\"method\" value=\"" + esc(m.key()) + "\">"
        + "<button type=\"submit\" class=\"primary\">" + esc(button) + "</button></form>";
  }

  private static String resend(PageContext p, String action) {
    return "<form method=\"post\" action=\"" + action + "\" class=\"resend\">" + p.csrfField()
        + "<input type=\"hidden\" name=\"action\" value=\"resend\">"
        + "<button class=\"link\" type=\"submit\">Send a new code</button></form>";
  }

  private static String push(PageContext p, String action, Method m, String vid, VerificationView push) {
    if (vid == null || push == null || !"pending".equals(push.status())) {
      return start(p, action, m, "We will send a notification to your phone. Approve it there, and you are in.",
          vid == null ? "Send a notification" : "Send a new notification");
    }
    String number = push.number() == null ? "" : String.format("%02d", push.number());
    return "<div class=\"push-wait\" data-poll=\"" + esc(p.path("/sign-in/push-status")) + "\" data-done-form=\"push-done\">"
        + "<p>We sent a notification to your phone. Open it and tap this number:</p>"
        + "<p class=\"number\" aria-label=\"Number to tap: " + esc(number) + "\">" + esc(number) + "</p>"
        + "<p class=\"waiting\"><span class=\"spinner\" aria-hidden=\"true\"></span><span data-status>Waiting for your"
        + " approval…</span></p></div>"
        + "<form id=\"push-done\" method=\"post\" action=\"" + action + "\">" + p.csrfField()
        + "<input type=\"hidden\" name=\"action\" value=\"push-done\">" + trust()
        + "<button type=\"submit\">I approved it</button></form>" + resendPush(p, action, m);
  }

  private static String resendPush(PageContext p, String action, Method m) {
    return "<form method=\"post\" action=\"" + action + "\" class=\"resend\">" + p.csrfField()
        + "<input type=\"hidden\" name=\"action\" value=\"choose\"><input type=\"hidden\" name=\"method\" value=\""
        + esc(m.key()) + "\"><button class=\"link\" type=\"submit\">Send a new notification</button></form>";
  }
}
