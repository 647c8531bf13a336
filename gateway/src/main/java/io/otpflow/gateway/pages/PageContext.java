package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.UserStore;

import io.otpflow.common.Tenant;
import io.otpflow.gateway.store.SessionStore.Session;
import io.otpflow.gateway.pages.view.Layout;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request to a hosted page, for handlers that run on a worker thread with straight-line code:
 * the tenant from the path, the browser's session, the form, and ways to answer (a page, a
 * redirect). Platform calls are awaited with {@link #await}; a platform that does not answer in time
 * becomes a 503 page.
 */
public final class PageContext {
  public static final String COOKIE = "otpflow_session";
  static final String KEY = "otpflow.page";
  /** Longest form value read; longer ones are cut here, and each field's own validation refuses them. */
  private static final int MAX_FIELD = 4096;

  private final RoutingContext ctx;
  private final WebPlatform web;
  private final Tenant tenant;
  private Session session;
  private UserStore.User user;
  private String userReadFor;

  PageContext(RoutingContext ctx, WebPlatform web, Tenant tenant, Session session) {
    this.ctx = ctx;
    this.web = web;
    this.tenant = tenant;
    this.session = session;
  }

  public static PageContext of(RoutingContext ctx) {
    return ctx.get(KEY);
  }

  public RoutingContext routing() {
    return ctx;
  }

  public WebPlatform web() {
    return web;
  }

  public Tenant tenant() {
    return tenant;
  }

  public Session session() {
    return session;
  }

  /** The signed-in person, or null. */
  public UserStore.User user() {
    if (!session.signedIn()) {
      return null;
    }
    // Read once per request and session: the handler and the page's navigation both ask.
    if (!session.id().equals(userReadFor)) {
      user = web.users().find(tenant.id(), session.username()).orElse(null);
      userReadFor = session.id();
    }
    return user;
  }

  /** A path of this tenant's pages: {@code path("/security")} is /t/acme/security. */
  public String path(String relative) {
    return "/t/" + tenant.id() + relative;
  }

  /** A form field (or, for GET, a query parameter), trimmed; null when absent. */
  public String form(String name) {
    String v = ctx.request().getFormAttribute(name);
    if (v == null) {
      v = ctx.queryParams().get(name);
    }
    if (v == null) {
      return null;
    }
    v = v.strip();
    return v.length() > MAX_FIELD ? v.substring(0, MAX_FIELD) : v;
  }

  /** Replaces the browser's session (after sign-in, sign-out) and sets its cookie. */
  public void switchSession(Session next) {
    this.session = next;
    ctx.response().addCookie(cookie(next.id()));
  }

  /** Keeps the session object in step with a change made to it in the store. */
  public void updateSession(Session changed) {
    this.session = changed;
  }

  Cookie cookie(String value) {
    return Cookie.cookie(COOKIE, value).setPath("/t/" + tenant.id()).setHttpOnly(true)
        .setSecure(web.config().secureCookies()).setSameSite(CookieSameSite.LAX); // no Max-Age: gone with the browser
  }

  /** The address the request came from (the TCP peer, or X-Forwarded-For from a trusted proxy). */
  public String clientIp() {
    return web.clientIp(ctx);
  }

  /** Answers with a whole page: the template inside this company's layout. */
  public void render(int status, PageTemplate page) {
    ctx.response().setStatusCode(status).putHeader("content-type", "text/html; charset=utf-8").end(page.html(layout()));
  }

  public void render(PageTemplate page) {
    render(200, page);
  }

  /** The layout's data for this request: the company, the navigation of who is signed in, the CSRF token. */
  public Layout layout() {
    String home = path(session.signedIn() ? "/security" : "/sign-in");
    if (!session.signedIn()) {
      return Layout.hosted(tenant.displayName(), home, List.of(), null, session.csrf());
    }
    UserStore.User u = user();
    List<Layout.NavLink> nav = new ArrayList<>();
    nav.add(link("/security", "Security"));
    if (u != null && u.isAdmin()) {
      nav.add(link("/admin/people", "People"));
      nav.add(link("/admin/policy", "Policy"));
      nav.add(link("/admin/report", "2FA report"));
      nav.add(link("/admin/operator", "Delivery"));
    }
    return Layout.hosted(tenant.displayName(), home, nav, path("/sign-out"), session.csrf());
  }

  /** 303 See Other: after a form, the browser loads the next page with GET. */
  public void redirect(String location) {
    ctx.response().setStatusCode(303).putHeader("location", location).end();
  }

  /** Sends JSON (the push sign-in page's live status). */
  public void json(int status, io.vertx.core.json.JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  /** The platform's answer, or {@link PlatformUnavailable} when it does not come in time. */
  public <T> T await(CompletableFuture<T> call) {
    try {
      return call.get(web.calls().timeout().toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlatformUnavailable(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new PlatformUnavailable(e);
    }
  }

  /** The platform did not answer in time: the page says so (503) and nothing changed here. */
  public static final class PlatformUnavailable extends RuntimeException {
    PlatformUnavailable(Throwable cause) {
      super("The platform did not answer in time.", cause);
    }
  }

  private Layout.NavLink link(String relative, String text) {
    String href = path(relative);
    return new Layout.NavLink(href, text, ctx.request().path().startsWith(href));
  }
}
