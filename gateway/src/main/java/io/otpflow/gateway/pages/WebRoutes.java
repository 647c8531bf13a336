package io.otpflow.gateway.pages;

import io.otpflow.gateway.store.UserStore;

import gg.jte.generated.precompiled.pages.JtemessageGenerated;
import io.otpflow.common.Tenant;
import io.otpflow.gateway.store.SessionStore.Session;
import io.otpflow.gateway.pages.view.Layout;
import io.otpflow.gateway.pages.view.Message;
import io.vertx.core.Handler;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts the hosted pages under /t/{tenant}/ and their assets under /assets/. Every page gets the
 * same guard rails before its handler runs: security headers (a Content-Security-Policy that allows
 * only this origin's stylesheet, script and images, plus data: images for QR codes; no framing; no
 * caching, as pages show secrets once), the tenant from the path, the browser's session (a new
 * anonymous one when it has none), and for every POST a CSRF token that must match the session's.
 * Handlers run on worker threads ({@link PageHandler}), so they call Redis and await the platform
 * with straight-line code.
 */
public final class WebRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(WebRoutes.class);
  public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  /** The layout of a page outside any company's (no such company, an unexpected failure). */
  private static final Layout NO_COMPANY = Layout.hosted("otpflow", "/", List.of(), null, null);

  /** A page handler: straight-line code on a worker thread. */
  @FunctionalInterface
  public interface PageHandler {
    void handle(PageContext page) throws Exception;
  }

  private final WebPlatform web;
  private final Router router;

  private WebRoutes(WebPlatform web, Router router) {
    this.web = web;
    this.router = router;
  }

  /**
   * Mounts the assets, the guard of every page and the redirect of "/"; the pages themselves are
   * registered on the answer, in the gateway's route table.
   */
  public static WebRoutes mount(Router router, WebPlatform web) {
    WebRoutes routes = new WebRoutes(web, router);
    router.route("/assets/*").handler(ctx -> {
      headers(ctx);
      ctx.response().putHeader("cache-control", "public, max-age=300");
      ctx.next();
    }).handler(StaticHandler.create("webroot/assets").setCachingEnabled(false).setDirectoryListing(false)
        .setIncludeHidden(false));
    router.route("/t/:tenant/*").handler(routes::guard);
    router.get("/").handler(ctx -> ctx.response().setStatusCode(303)
        .putHeader("location", web.tenants().all().size() == 1
            ? "/t/" + web.tenants().all().iterator().next().id() + "/sign-in" : "/t/")
        .end());
    return routes;
  }

  /** Registers a page: {@code path} is relative to /t/{tenant}, e.g. "/sign-in". */
  public void page(HttpMethod method, String path, PageHandler handler) {
    router.route(method, "/t/:tenant" + path).blockingHandler(blocking(handler), false);
  }

  public void get(String path, PageHandler handler) {
    page(HttpMethod.GET, path, handler);
  }

  public void post(String path, PageHandler handler) {
    page(HttpMethod.POST, path, handler);
  }

  private static void headers(RoutingContext ctx) {
    ctx.response()
        .putHeader("content-security-policy", CSP)
        .putHeader("x-frame-options", "DENY")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("cross-origin-opener-policy", "same-origin")
        .putHeader("permissions-policy", "camera=(), microphone=(), geolocation=()");
  }

  /** Headers, tenant, session and CSRF, on the event loop before the blocking handler. */
  private void guard(RoutingContext ctx) {
    headers(ctx);
    ctx.response().putHeader("cache-control", "no-store");
    Optional<Tenant> tenant = web.tenants().byId(ctx.pathParam("tenant"));
    if (tenant.isEmpty()) {
      ctx.response().setStatusCode(404).putHeader("content-type", "text/html; charset=utf-8")
          .end(message(Message.bare("Not found", "Not found", "There is no such company here.")).html(NO_COMPANY));
      return;
    }
    ctx.vertx().executeBlocking(() -> session(ctx, tenant.get()), false).onComplete(result -> {
      if (result.failed()) {
        fail(ctx, result.cause());
        return;
      }
      PageContext page = result.result();
      ctx.put(PageContext.KEY, page);
      if (ctx.request().method() == HttpMethod.POST && !csrfMatches(ctx, page.session())) {
        ctx.response().setStatusCode(403).putHeader("content-type", "text/html; charset=utf-8")
            .end(message(Message.bare("Expired form", "This form has expired", "Go back, reload the page and try again."))
                .html(Layout.hosted(tenant.get().displayName(), page.path("/sign-in"), List.of(), null, null)));
        return;
      }
      ctx.next();
    });
  }

  private PageContext session(RoutingContext ctx, Tenant tenant) {
    Cookie cookie = ctx.request().getCookie(PageContext.COOKIE);
    Optional<Session> found = cookie == null ? Optional.empty()
        : web.sessions().find(cookie.getValue(), tenant.id(), web.clock().instant());
    PageContext page = new PageContext(ctx, web, tenant, found.orElse(null));
    if (found.isEmpty() || !found.get().id().equals(cookie.getValue())) {
      page.switchSession(found.orElseGet(() -> web.sessions().create(tenant.id(), web.clock().instant())));
    }
    return page;
  }

  private static boolean csrfMatches(RoutingContext ctx, Session session) {
    String sent = ctx.request().getFormAttribute("csrf");
    if (sent == null) {
      sent = ctx.request().getHeader("x-csrf-token");
    }
    return sent != null && MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
        session.csrf().getBytes(StandardCharsets.UTF_8));
  }

  private Handler<RoutingContext> blocking(PageHandler handler) {
    return ctx -> {
      PageContext page = PageContext.of(ctx);
      try {
        handler.handle(page);
      } catch (UserStore.Busy e) {
        ctx.response().putHeader("retry-after", "2");
        page.render(503, message(Message.bare("Try again", "Please try again", "Too many people are signing in just now."
            + " Nothing was changed. Try again in a moment.")));
      } catch (PageContext.PlatformUnavailable e) {
        LOG.warn("A page could not reach the platform in time: {}", e.getCause().toString());
        page.render(503, message(Message.bare("Try again", "Please try again", "We could not reach the sign-in service just now."
            + " Nothing was changed. Try again in a moment.")));
      } catch (Exception e) {
        fail(ctx, e);
      }
    };
  }

  /** A page that only says something. */
  static PageTemplate message(Message view) {
    return (out, layout) -> JtemessageGenerated.render(out, null, layout, view);
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    // The route template, not the path, which may carry a username.
    LOG.error("A hosted page failed: {} {}.", ctx.request().method(),
        ctx.currentRoute() == null || ctx.currentRoute().getPath() == null ? "(no route)" : ctx.currentRoute().getPath(), e);
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(500).putHeader("content-type", "text/html; charset=utf-8")
          .end(message(Message.bare("Error", "Something went wrong", "Please try again.")).html(NO_COMPANY));
    }
  }
}
