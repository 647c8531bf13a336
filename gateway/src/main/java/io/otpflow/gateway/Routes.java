package io.otpflow.gateway;

import static io.otpflow.gateway.pages.AdminPages.admin;

import io.otpflow.gateway.api.AccountApi;
import io.otpflow.gateway.api.AnswerApi;
import io.otpflow.gateway.api.HostedAccountGuard;
import io.otpflow.gateway.api.Problems;
import io.otpflow.gateway.api.TwilioWebhook;
import io.otpflow.gateway.api.UsersApi;
import io.otpflow.gateway.api.VerificationApi;
import io.otpflow.gateway.dev.DevDevices;
import io.otpflow.gateway.dev.DevOutboxPage;
import io.otpflow.gateway.dev.DevOutboxRoute;
import io.otpflow.gateway.pages.AddFactorPages;
import io.otpflow.gateway.pages.ChangePages;
import io.otpflow.gateway.pages.OperatorPage;
import io.otpflow.gateway.pages.PasswordPages;
import io.otpflow.gateway.pages.PasswordResetPage;
import io.otpflow.gateway.pages.PeoplePages;
import io.otpflow.gateway.pages.PersonPage;
import io.otpflow.gateway.pages.PolicyPage;
import io.otpflow.gateway.pages.RecentSecondFactor;
import io.otpflow.gateway.pages.ReportPage;
import io.otpflow.gateway.pages.SecondFactorPages;
import io.otpflow.gateway.pages.SecurityPages;
import io.otpflow.gateway.pages.SetupPages;
import io.otpflow.gateway.pages.SignInPages;
import io.otpflow.gateway.pages.WebPlatform;
import io.otpflow.gateway.pages.WebRoutes;
import io.otpflow.gateway.platform.PlatformCalls;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.otpflow.common.http.ServiceHttp;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Every route of the gateway in one table, in the order Vert.x matches them: the gateway's URL map.
 * The JSON API first (a device's answer before the API-key check of /v1/*), then the hosted pages
 * under /t/{tenant} (each behind {@link WebRoutes}' guard: headers, tenant, session, CSRF; admin
 * pages behind {@code admin(…)}), then the Twilio webhook, the development-only routes (from this
 * machine only) and a 404 for /metrics. GatewayService adds /health, /ready and the 404 after these;
 * /metrics itself is on the management port ({@link #management}).
 */
final class Routes {
  private Routes() {}

  static void table(Router r, GatewayConfig config, VerificationApi api, AnswerApi answers, AccountApi accounts,
      WebPlatform web, TwilioWebhook webhook, PlatformCalls calls) {
    r.post(AnswerApi.ROUTE).handler(api::authenticateIfKeyed).handler(answers::limitUnauthenticated)
        .handler(api::requireJsonObject).handler(answers::answer);
    r.route("/v1/*").handler(api::authenticate);
    HostedAccountGuard hosted = new HostedAccountGuard(web.redis());
    r.post("/v1/verifications").handler(api::requireJsonObject).handler(api::validateSend)
        .handler(hosted::verificationBody).handler(api::send);
    r.get("/v1/verifications/:id").handler(api::status);
    r.post("/v1/verifications/:id/check").handler(api::requireJsonObject).handler(api::check);

    String account = "/v1/accounts/:account";
    // Before every account route: the hosted pages' people are not the application key's to manage.
    r.route(account).handler(hosted::accountPath);
    r.route(account + "/*").handler(hosted::accountPath);
    r.get(account).handler(accounts::validateAccount).handler(accounts::get);
    r.post(account + "/factors/totp").handler(accounts::validateAccount).handler(api::optionalJsonObject).handler(accounts::enrollTotp);
    r.post(account + "/factors/phone").handler(accounts::validateAccount).handler(api::requireJsonObject).handler(accounts::enrollPhone);
    r.get(account + "/factors/:factor/qr.png").handler(accounts::validateAccount).handler(accounts::qrPng);
    r.post(account + "/factors/:factor/confirm").handler(accounts::validateAccount).handler(api::requireJsonObject).handler(accounts::confirm);
    r.delete(account + "/factors").handler(accounts::validateAccount).handler(api::optionalJsonObject).handler(accounts::turnOff);
    r.delete(account + "/factors/:factor").handler(accounts::validateAccount).handler(api::optionalJsonObject).handler(accounts::removeFactor);
    r.post(account + "/recovery-codes").handler(accounts::validateAccount).handler(api::optionalJsonObject).handler(accounts::generateRecoveryCodes);
    r.post(account + "/devices").handler(accounts::validateAccount).handler(api::requireJsonObject).handler(accounts::registerDevice);
    r.get(account + "/devices").handler(accounts::validateAccount).handler(accounts::listDevices);
    r.delete(account + "/devices/:factor").handler(accounts::validateAccount).handler(api::optionalJsonObject).handler(accounts::removeDevice);

    UsersApi users = new UsersApi(web);
    r.post("/v1/users").handler(users::requireAdmin).handler(api::requireJsonObject).handler(users::create);
    r.get("/v1/users").handler(users::requireAdmin).handler(users::list);
    r.post("/v1/users/:username/disable").handler(users::requireAdmin).handler(users::disable);
    r.post("/v1/users/:username/enable").handler(users::requireAdmin).handler(users::enable);
    r.post("/v1/users/:username/require-2fa").handler(users::requireAdmin).handler(api::requireJsonObject)
        .handler(users::requireTwoFactor);
    r.post("/v1/users/:username/password").handler(users::requireAdmin).handler(api::requireJsonObject)
        .handler(users::setPassword);
    r.get("/v1/policy").handler(users::requireAdmin).handler(users::policy);
    r.put("/v1/policy").handler(users::requireAdmin).handler(api::requireJsonObject).handler(users::setPolicy);

    WebRoutes t = WebRoutes.mount(r, web); // /assets/*, the guard of /t/:tenant/*, and "/"
    SignInPages signIn = new SignInPages(web);
    t.get("/", signIn::home);
    t.get("/sign-in", signIn::form);
    t.post("/sign-in", signIn::signIn);
    t.post("/sign-out", signIn::signOut);
    t.post(RecentSecondFactor.CONFIRM, RecentSecondFactor::confirm); // an admin gives their second factor again
    SecondFactorPages verify = new SecondFactorPages(web);
    t.get("/sign-in/verify", verify::form);
    t.post("/sign-in/verify", verify::submit);
    t.get("/sign-in/push-status", verify::pushStatus);
    SetupPages setup = new SetupPages(web);
    t.get("/security/setup", setup::form);
    t.post("/security/setup", setup::submit);
    t.get("/security", new SecurityPages(web)::overview);
    PasswordPages password = new PasswordPages(web);
    t.get("/security/password", password::form);
    t.post("/security/password", password::change);
    AddFactorPages add = new AddFactorPages(web);
    t.post("/security/app", add::addApp);
    t.post("/security/phone", add::addPhone);
    ChangePages change = new ChangePages(web);
    t.get("/security/remove", change::askRemove);
    t.post("/security/remove", change::remove);
    t.get("/security/off", change::askOff);
    t.post("/security/off", change::off);
    t.get("/security/recovery-codes", change::askRecoveryCodes);
    t.post("/security/recovery-codes", change::recoveryCodes);
    t.post("/security/proof-sms", change::proofSms);
    t.post("/security/trusted/revoke", change::revokeTrust);

    PeoplePages people = new PeoplePages(web);
    t.get("/admin/people", admin(people::list));
    t.post("/admin/people", admin(people::create));
    t.post("/admin/people/disabled", admin(people::setDisabled));
    t.post("/admin/people/required", admin(people::setRequired));
    PersonPage person = new PersonPage(web);
    t.get("/admin/people/person", admin(person::show));
    t.post("/admin/people/remove", admin(person::remove));
    t.post("/admin/people/password", admin(new PasswordResetPage(web)::reset));
    PolicyPage policy = new PolicyPage(web);
    t.get("/admin/policy", admin(policy::form));
    t.post("/admin/policy", admin(policy::save));
    ReportPage report = new ReportPage(web);
    t.get("/admin/report", admin(report::html));
    t.get("/admin/report.csv", admin(report::csv));
    OperatorPage operator = new OperatorPage(web);
    t.get("/admin/operator", admin(operator::page));
    t.get("/admin/operator.json", admin(operator::json));

    if (webhook != null) {
      r.post(TwilioWebhook.PATH).handler(webhook::handle);
    }
    if (config.devOutboxFile() != null) {
      DevOutboxRoute outbox = new DevOutboxRoute(config.devOutboxFile());
      r.get("/dev/outbox").handler(outbox::handle);
      DevDevices devices = config.devDevices() ? new DevDevices(config.codeMac(), config.addressBox()) : null;
      DevOutboxPage page = new DevOutboxPage(outbox, devices, config.tenants(), answers, calls);
      r.get(DevOutboxPage.PATH).handler(page::page);
      if (devices != null) {
        r.post("/dev/devices").handler(DevDevices::onlyFromThisMachine).handler(page::addDevice);
        r.post("/dev/answers").handler(DevDevices::onlyFromThisMachine).handler(page::answer);
      }
    }
    // The metrics name tenants, routes and volumes: on the public port they are not found; they are
    // served on the management port only (management below).
    r.get("/metrics").handler(ctx -> Problems.send(ctx, 404, "not-found", "No such resource."));
  }

  /** The management port (OTPFLOW_MANAGEMENT_PORT): /metrics and the health checks, for Prometheus and the orchestrator. */
  static Router management(Vertx vertx, PrometheusMeterRegistry registry, Map<String, Callable<Boolean>> readiness) {
    Router r = Router.router(vertx);
    ServiceHttp.addOperationalRoutes(vertx, r, registry, readiness);
    return r;
  }
}
