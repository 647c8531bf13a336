package io.otpflow.gateway;

import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GET /dev/outbox.html (development only, with the dev outbox): the outbox as a page, newest first,
 * and with OTPFLOW_DEV_DEVICES simulated push devices: a form adds one to an account (the page keeps
 * its private key, see {@link DevDevices}), and every approve-mode push to one of them gets Approve
 * and Deny buttons, whose answer the page signs and sends through the real answer path.
 *
 * <p>Made to be harmless in a browser: no script at all, a Content-Security-Policy that allows
 * nothing but the product's stylesheet from /assets and forms posting to this origin, no framing,
 * every value from the outbox file HTML-escaped (a push's context is the caller's text), and the forms
 * carry a token made when the gateway started, so another site cannot make the browser answer for it.
 */
final class DevOutboxPage {
  static final String PATH = "/dev/outbox.html";
  /** ~username: a person of the hosted pages (development only, from this machine: see DevDevices). */
  private static final Pattern ACCOUNT = Pattern.compile("~?[\\p{Alnum}._:@+=-]{1,128}");
  private static final Pattern ID = Pattern.compile("(VE|DV)[0-9a-f]{32}");
  private static final Pattern LABEL = Pattern.compile("[^\\p{Cntrl}\\p{Cf}\\p{Cs}]{1,100}");
  /** The product's stylesheet from /assets, and nothing else: no script, no inline style. */
  private static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
      + " frame-ancestors 'none'; base-uri 'none'";
  /** What a redirect after a form may announce: a fixed set, so nothing from the request is shown back. */
  private static final Map<String, String> NOTES = Map.ofEntries(
      Map.entry("approved", "Approved: the verification is approved, the other devices' notifications are withdrawn."),
      Map.entry("denied", "Denied: the verification is denied."),
      Map.entry("wrong-number", "Wrong number: that used one of the verification's attempts."),
      Map.entry("not-pending", "That verification was decided already: the first answer counts."),
      Map.entry("expired", "That verification has expired."),
      Map.entry("locked", "That verification (or its account) is locked."),
      Map.entry("refused", "The answer was refused (is the device still registered on the account?)."),
      Map.entry("not-found", "No such verification."),
      Map.entry("device-added", "Device added: pushes to the account now reach it here."),
      Map.entry("device-refused", "The registry refused the device (the account may have its maximum of devices)."),
      Map.entry("invalid", "The form was not filled in correctly."));

  private final DevOutboxRoute outbox;
  private final DevDevices devices; // null unless OTPFLOW_DEV_DEVICES
  private final TenantDirectory tenants;
  private final AnswerApi api;
  private final PlatformCalls calls;
  private final String formToken;

  DevOutboxPage(DevOutboxRoute outbox, DevDevices devices, TenantDirectory tenants, AnswerApi api,
      PlatformCalls calls) {
    this.outbox = outbox;
    this.devices = devices;
    this.tenants = tenants;
    this.api = api;
    this.calls = calls;
    byte[] token = new byte[24];
    new SecureRandom().nextBytes(token);
    this.formToken = HexFormat.of().formatHex(token);
  }

  void page(RoutingContext ctx) {
    String result = ctx.queryParams().get("result");
    String note = result == null ? null : NOTES.get(result); // Map.of refuses null keys
    ctx.vertx().executeBlocking(outbox::read, false)
        .onSuccess(messages -> ctx.response().putHeader("content-type", "text/html; charset=utf-8")
            .putHeader("cache-control", "no-store").putHeader("content-security-policy", CSP)
            .putHeader("x-frame-options", "DENY").putHeader("referrer-policy", "no-referrer")
            .end(html(messages, note)))
        .onFailure(ctx::fail);
  }

  /** POST /dev/devices: tenant, account, label, platform → a simulated device registered on the account. */
  void addDevice(RoutingContext ctx) {
    if (!tokenMatches(ctx)) {
      return;
    }
    var form = ctx.request().formAttributes();
    Tenant tenant = tenants.byId(String.valueOf(form.get("tenant"))).orElse(null);
    String account = form.get("account");
    String label = form.get("label") == null || form.get("label").isBlank() ? null : form.get("label").strip();
    String platform = form.get("platform");
    if (tenant == null || account == null || !ACCOUNT.matcher(account).matches()
        || (label != null && !LABEL.matcher(label).matches()) || !("apns".equals(platform) || "fcm".equals(platform))) {
      redirect(ctx, "invalid");
      return;
    }
    DevDevices.Registration r;
    try {
      r = devices.registration(tenant, account, label, platform);
    } catch (IllegalStateException e) {
      redirect(ctx, "device-refused");
      return;
    }
    Future.fromCompletionStage(calls.ask(tenant, account, r.request()), ctx.vertx().getOrCreateContext())
        .onFailure(e -> Problems.send(ctx, 503, "platform-unavailable", "The registry did not answer; retry."))
        .onSuccess(reply -> {
          if (reply instanceof AccountReply.Done done && r.device().id().equals(done.factorId())) {
            devices.keep(r.device());
            redirect(ctx, "device-added");
          } else {
            redirect(ctx, "device-refused");
          }
        });
  }

  /** POST /dev/answers: the page signs the answer with the development device's key and sends it as the device would. */
  void answer(RoutingContext ctx) {
    if (!tokenMatches(ctx)) {
      return;
    }
    var form = ctx.request().formAttributes();
    String id = form.get("verification_id");
    String decision = form.get("decision");
    String typed = form.get("number") == null ? "" : form.get("number").strip();
    DevDevices.Device device = devices.find(form.get("device_id")).orElse(null);
    if (id == null || !ID.matcher(id).matches() || !id.startsWith("VE") || device == null
        || !("approve".equals(decision) || "deny".equals(decision)) || !(typed.isEmpty() || typed.matches("[1-9][0-9]"))) {
      redirect(ctx, "invalid");
      return;
    }
    Integer number = typed.isEmpty() || "deny".equals(decision) ? null : Integer.valueOf(typed);
    byte[] signature = DevDevices.sign(device, CheckRequest.Answer.signedText(id, decision, number));
    api.askAnswer(ctx, device.tenant(), id, device.id(), decision, number, signature).onSuccess(reply ->
        redirect(ctx, switch (reply) {
          case CheckReply.Approved a -> "approved";
          case CheckReply.Declined d -> "denied";
          case CheckReply.Denied d -> "wrong-number";
          case CheckReply.NotPending p -> "not-pending";
          case CheckReply.Expired e -> "expired";
          case CheckReply.Locked l -> "locked";
          case CheckReply.NotFound n -> "not-found";
          case CheckReply.Refused r -> "refused";
          case CheckReply.Unavailable u -> "refused";
        }));
  }

  private boolean tokenMatches(RoutingContext ctx) {
    String given = ctx.request().getFormAttribute("form_token");
    if (devices == null || given == null
        || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), formToken.getBytes(StandardCharsets.UTF_8))) {
      Problems.send(ctx, 403, "invalid-form-token", "Use the forms of " + PATH + ".");
      return false;
    }
    return true;
  }

  private static void redirect(RoutingContext ctx, String result) {
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(303).putHeader("location", PATH + "?result=" + result).end();
    }
  }

  private String html(JsonArray messages, String note) {
    StringBuilder h = new StringBuilder(8192);
    h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .append("<title>Development outbox · otpflow</title><link rel=\"stylesheet\" href=\"/assets/otpflow.css\">")
        .append("</head><body class=\"outbox\"><header class=\"top\"><a class=\"brand\" href=\"").append(PATH)
        .append("\">otpflow</a><nav><span class=\"badge warn\">development</span><a href=\"/dev/outbox\">JSON</a>")
        .append("<a href=\"").append(PATH).append("\">Refresh</a></nav></header><main><div class=\"page-head\">")
        .append("<h1>Development outbox</h1><p class=\"muted\">What the outbox provider \"sent\" instead of SMS and")
        .append(" push, newest first.</p></div>");
    if (note != null) {
      h.append("<p class=\"notice info note\" role=\"status\">").append(escape(note)).append("</p>");
    }
    if (devices != null) {
      devicesSection(h);
    }
    h.append("<section class=\"card\"><h2>Messages</h2>");
    if (messages.isEmpty()) {
      h.append("<p class=\"muted\">Nothing sent yet.</p>");
    }
    h.append("<div class=\"table-wrap\"><table class=\"cards\"><thead><tr><th>sent</th><th>to</th><th>text</th><th></th></tr></thead><tbody>");
    for (Object o : messages) {
      JsonObject m = (JsonObject) o;
      h.append("<tr><td class=\"small\">").append(escape(m.getString("sent_at"))).append("</td><td data-label=\"to\">");
      if ("push".equals(m.getString("channel"))) {
        h.append("<span class=\"badge info\">push</span> ").append(escape(m.getString("platform"))).append("<br><code>")
            .append(escape(m.getString("device_id"))).append("</code>");
      } else {
        h.append("<span class=\"badge\">SMS</span> ").append(escape(m.getString("to")));
      }
      h.append("</td><td class=\"wide\"><b>").append(escape(m.getString("title", ""))).append("</b> ").append(escape(m.getString("body")))
          .append("<br><code>").append(escape(m.getString("verification_id"))).append("</code> ")
          .append(escape(m.getString("mode", ""))).append("</td><td class=\"wide\">");
      answerForm(h, m);
      h.append("</td></tr>");
    }
    return h.append("</tbody></table></div></section></main><footer>otpflow development tools: never on in production</footer>")
        .append("</body></html>").toString();
  }

  private void devicesSection(StringBuilder h) {
    h.append("<section class=\"card\"><h2>Development devices</h2><p class=\"small muted\">Phones simulated by this")
        .append(" page. It holds their private keys (in this gateway's memory until it restarts) and signs their answers,")
        .append(" exactly as an app would.</p>");
    if (!devices.all().isEmpty()) {
      h.append("<div class=\"table-wrap\"><table class=\"cards\"><thead><tr><th>tenant</th><th>account</th><th>label</th><th>platform</th>")
          .append("<th>device</th></tr></thead><tbody>");
      for (DevDevices.Device d : devices.all()) {
        h.append("<tr><td data-label=\"tenant\">").append(escape(d.tenant())).append("</td><td data-label=\"account\">")
            .append(escape(d.account())).append("</td><td data-label=\"label\">")
            .append(escape(d.label() == null ? "" : d.label())).append("</td><td data-label=\"platform\">")
            .append(escape(d.platform())).append("</td><td data-label=\"device\"><code>").append(escape(d.id())).append("</code></td></tr>");
      }
      h.append("</tbody></table></div>");
    }
    h.append("<form method=\"post\" action=\"/dev/devices\">").append(tokenField())
        .append("<div class=\"row\"><div><label for=\"dev-tenant\">Tenant</label><select id=\"dev-tenant\" name=\"tenant\">");
    for (Tenant t : tenants.all()) {
      h.append("<option>").append(escape(t.id())).append("</option>");
    }
    h.append("</select></div><div><label for=\"dev-account\">Account</label><input id=\"dev-account\" name=\"account\"")
        .append(" required maxlength=\"128\"></div><div><label for=\"dev-label\">Person</label><input id=\"dev-label\"")
        .append(" name=\"label\" maxlength=\"100\"></div><div><label for=\"dev-platform\">Platform</label><select")
        .append(" id=\"dev-platform\" name=\"platform\"><option>apns</option><option>fcm</option></select></div>")
        .append("<button type=\"submit\">Add device</button></div></form></section>");
  }

  /** Approve and Deny for an approve-mode push to a device this page holds the key of. */
  private void answerForm(StringBuilder h, JsonObject m) {
    if (devices == null || !"push".equals(m.getString("channel")) || !"approve".equals(m.getString("mode"))
        || devices.find(m.getString("device_id")).isEmpty()) {
      return;
    }
    h.append("<form method=\"post\" action=\"/dev/answers\" class=\"answer\">").append(tokenField())
        .append("<input type=\"hidden\" name=\"verification_id\" value=\"").append(escape(m.getString("verification_id")))
        .append("\"><input type=\"hidden\" name=\"device_id\" value=\"").append(escape(m.getString("device_id"))).append("\">");
    if (Boolean.TRUE.equals(m.getBoolean("number_matching"))) {
      h.append("<label>number <input name=\"number\" size=\"3\" maxlength=\"2\" inputmode=\"numeric\"></label> ");
    }
    h.append("<button name=\"decision\" value=\"approve\" class=\"small\">Approve</button> ")
        .append("<button name=\"decision\" value=\"deny\" class=\"small danger\">Deny</button></form>");
  }

  private String tokenField() {
    return "<input type=\"hidden\" name=\"form_token\" value=\"" + formToken + "\">";
  }

  static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
