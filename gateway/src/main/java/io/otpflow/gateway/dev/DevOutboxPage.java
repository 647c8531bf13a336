package io.otpflow.gateway.dev;

import io.otpflow.gateway.api.AnswerApi;
import io.otpflow.gateway.api.Problems;
import io.otpflow.gateway.platform.PlatformCalls;

import gg.jte.generated.precompiled.pages.JteoutboxGenerated;
import io.otpflow.common.Tenant;
import io.otpflow.common.TenantDirectory;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.gateway.pages.PageTemplate;
import io.otpflow.gateway.pages.view.Layout;
import io.otpflow.gateway.pages.view.Notice;
import io.otpflow.gateway.pages.view.OutboxView;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
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
 * every value from the outbox file escaped by its template (a push's context is the caller's text), and the forms
 * carry a token made when the gateway started, so another site cannot make the browser answer for it.
 */
public final class DevOutboxPage {
  public static final String PATH = "/dev/outbox.html";
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

  public DevOutboxPage(DevOutboxRoute outbox, DevDevices devices, TenantDirectory tenants, AnswerApi api,
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

  public void page(RoutingContext ctx) {
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
  public void addDevice(RoutingContext ctx) {
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
  public void answer(RoutingContext ctx) {
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
    List<OutboxView.Device> shown = devices == null ? null : devices.all().stream()
        .map(d -> new OutboxView.Device(d.tenant(), d.account(), d.label() == null ? "" : d.label(), d.platform(), d.id()))
        .toList();
    List<OutboxView.Message> lines = new ArrayList<>();
    for (Object o : messages) {
      JsonObject m = (JsonObject) o;
      lines.add(new OutboxView.Message(m.getString("sent_at"), "push".equals(m.getString("channel")), m.getString("platform"),
          m.getString("device_id"), m.getString("to"), m.getString("title", ""), m.getString("body"),
          m.getString("verification_id"), m.getString("mode", ""), answerForm(m)));
    }
    OutboxView view = new OutboxView(Notice.info(note), shown, tenants.all().stream().map(Tenant::id).toList(), lines);
    PageTemplate page = (out, layout) -> JteoutboxGenerated.render(out, null, layout, view);
    return page.html(new Layout("otpflow", PATH, List.of(new Layout.NavLink("/dev/outbox", "JSON", false),
        new Layout.NavLink(PATH, "Refresh", false)), null, formToken, "development", false, "outbox",
        "otpflow development tools: never on in production"));
  }

  /** Approve and Deny for an approve-mode push to a device this page holds the key of; else null. */
  private OutboxView.Answer answerForm(JsonObject m) {
    if (devices == null || !"push".equals(m.getString("channel")) || !"approve".equals(m.getString("mode"))
        || devices.find(m.getString("device_id")).isEmpty()) {
      return null;
    }
    return new OutboxView.Answer(m.getString("verification_id"), m.getString("device_id"),
        Boolean.TRUE.equals(m.getBoolean("number_matching")));
  }
}
