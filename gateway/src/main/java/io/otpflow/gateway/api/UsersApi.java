package io.otpflow.gateway.api;

import io.otpflow.common.Tenant;
import io.otpflow.gateway.store.ActivityLog;
import io.otpflow.gateway.store.PolicyStore;
import io.otpflow.gateway.store.UserStore;
import io.otpflow.gateway.pages.WebPlatform;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The people of the hosted pages, for a tenant's admin key: {@code POST /v1/users} creates one
 * (username, display name, password or {@code external: true}, role), {@code GET /v1/users} lists
 * them (no password hashes), {@code POST /v1/users/{username}/disable} and {@code …/enable}, and
 * {@code …/require-2fa} ({@code {"required": true}}: 2FA for this person whatever the policy). The
 * same operations are on the admin pages. Runs blocking work (Redis, Argon2id) off the event loop.
 */
public final class UsersApi {
  private static final Pattern NAME = Pattern.compile("[^\\p{Cntrl}\\p{Cf}\\p{Cs}]{1,100}");

  private final WebPlatform web;

  public UsersApi(WebPlatform web) {
    this.web = web;
  }

  /** Every users route needs the admin key: these calls manage people, not codes. */
  public void requireAdmin(RoutingContext ctx) {
    if (!VerificationApi.caller(ctx).isAdmin()) {
      Problems.send(ctx, 403, "admin-key-required", "Managing users needs the tenant's admin API key.");
      return;
    }
    ctx.next();
  }

  /** Validation of a new user; the problem is sent and null returned when invalid. */
  record NewUser(String username, String displayName, String password, UserStore.Role role, boolean external) {}

  static String validate(JsonObject body, NewUser[] out) {
    Object username = body.getValue("username");
    Object displayName = body.getValue("display_name", username);
    Object password = body.getValue("password");
    Object role = body.getValue("role", "user");
    Object external = body.getValue("external", false);
    if (!(username instanceof String u) || !UserStore.USERNAME.matcher(u).matches()) {
      return "'username' must be 1-64 lowercase letters, digits or . _ @ - characters, starting with a letter or digit.";
    }
    if (!(displayName instanceof String d) || !NAME.matcher(d).matches() || d.isBlank()) {
      return "'display_name' must be 1-100 printable characters.";
    }
    if (!(external instanceof Boolean ext)) {
      return "'external' must be true or false.";
    }
    if (!"user".equals(role) && !"admin".equals(role)) {
      return "'role' must be \"user\" or \"admin\".";
    }
    if (ext && password != null) {
      return "An external user signs in through the identity provider: send no 'password'.";
    }
    if (!ext && !(password instanceof String p && p.length() >= UserStore.MIN_PASSWORD
        && p.length() <= UserStore.MAX_PASSWORD)) {
      return "'password' must be " + UserStore.MIN_PASSWORD + "-" + UserStore.MAX_PASSWORD + " characters.";
    }
    out[0] = new NewUser(u, d.strip(), (String) password, "admin".equals(role) ? UserStore.Role.ADMIN : UserStore.Role.USER,
        ext);
    return null;
  }

  public void create(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    NewUser[] input = new NewUser[1];
    String problem = validate(VerificationApi.body(ctx), input);
    if (problem != null) {
      Problems.send(ctx, 400, "invalid-field", problem);
      return;
    }
    NewUser n = input[0];
    blocking(ctx, () -> web.users().create(tenant.id(), n.username(), n.displayName(), n.password(), n.role(), n.external(),
        web.clock().instant()).map(u -> {
          web.activity().recordAdminAction(tenant.id(), u.username(),
              byApi("user-created", "Account created (" + u.role().name().toLowerCase() + ")."));
          return u;
        }), created -> {
          if (created.isEmpty()) {
            Problems.send(ctx, 409, "username-taken", "A user with this username exists.");
          } else {
            VerificationApi.respond(ctx, 201, json(created.get()));
          }
        });
  }

  public void list(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    blocking(ctx, () -> web.users().list(tenant.id()), users -> {
      JsonArray out = new JsonArray();
      users.forEach(u -> out.add(json(u)));
      VerificationApi.respond(ctx, 200, new JsonObject().put("users", out));
    });
  }

  public void disable(RoutingContext ctx) {
    setDisabled(ctx, true);
  }

  public void enable(RoutingContext ctx) {
    setDisabled(ctx, false);
  }

  private void setDisabled(RoutingContext ctx, boolean disabled) {
    changePerson(ctx, (tenant, u) -> {
      web.users().setDisabled(tenant, u.username(), disabled);
      if (disabled) {
        io.otpflow.gateway.pages.SignInFlow.endEverywhere(web, tenant, u.username());
      }
      web.activity().recordAdminAction(tenant, u.username(), byApi(disabled ? "user-disabled" : "user-enabled",
          disabled ? "Account disabled." : "Account enabled."));
    });
  }

  /** POST /v1/users/{username}/require-2fa {@code {"required": true|false}}: 2FA for this person whatever the policy. */
  public void requireTwoFactor(RoutingContext ctx) {
    if (!(VerificationApi.body(ctx).getValue("required") instanceof Boolean required)) {
      Problems.send(ctx, 400, "invalid-field", "'required' must be true or false.");
      return;
    }
    changePerson(ctx, (tenant, u) -> {
      web.users().setTwoFactorRequired(tenant, u.username(), required);
      web.activity().recordAdminAction(tenant, u.username(), byApi("2fa-required", required
          ? "An administrator requires 2FA for your account."
          : "An administrator no longer requires 2FA for your account (the company policy still applies)."));
    });
  }

  /** Applies {@code change} to the person in the path (off the event loop); 200 with them as they are now, or 404. */
  private void changePerson(RoutingContext ctx, java.util.function.BiConsumer<String, UserStore.User> change) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String username = ctx.pathParam("username");
    blocking(ctx, () -> {
      Optional<UserStore.User> user = web.users().find(tenant.id(), username);
      user.ifPresent(u -> change.accept(tenant.id(), u));
      return user.flatMap(u -> web.users().find(tenant.id(), u.username()));
    }, user -> {
      if (user.isEmpty()) {
        Problems.send(ctx, 404, "user-not-found", "No such user.");
      } else {
        VerificationApi.respond(ctx, 200, json(user.get()));
      }
    });
  }

  /** An admin action made with the admin API key, for the activity and audit logs. */
  private ActivityLog.Entry byApi(String kind, String detail) {
    return new ActivityLog.Entry(web.clock().instant(), kind, "admin:api", detail, null);
  }

  /**
   * POST /v1/users/{username}/password {@code {"password"}}: the helpdesk sets a new password; the
   * person is signed out everywhere, their trusted browsers are forgotten, and they are told.
   */
  public void setPassword(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    String username = ctx.pathParam("username");
    Object password = VerificationApi.body(ctx).getValue("password");
    if (!(password instanceof String p && p.length() >= UserStore.MIN_PASSWORD && p.length() <= UserStore.MAX_PASSWORD)) {
      Problems.send(ctx, 400, "invalid-field", "'password' must be " + UserStore.MIN_PASSWORD + "-"
          + UserStore.MAX_PASSWORD + " characters.");
      return;
    }
    blocking(ctx, () -> {
      Optional<UserStore.User> user = web.users().find(tenant.id(), username);
      if (user.isEmpty() || user.get().external()) {
        return user;
      }
      web.users().setPassword(tenant.id(), username, (String) password);
      io.otpflow.gateway.pages.SignInFlow.endEverywhere(web, tenant.id(), username);
      web.activity().recordAdminAction(tenant.id(), username, byApi("password-set",
          "An administrator set a new password for your account; you were signed out everywhere."));
      return user;
    }, user -> {
      if (user.isEmpty()) {
        Problems.send(ctx, 404, "user-not-found", "No such user.");
      } else if (user.get().external()) {
        Problems.send(ctx, 409, "external-user", "This person signs in through the identity provider: no password here.");
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  /** GET /v1/policy: the company 2FA policy of the hosted pages. */
  public void policy(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    blocking(ctx, () -> web.policies().get(tenant.id()), p -> VerificationApi.respond(ctx, 200, json(p)));
  }

  /** PUT /v1/policy: {@code mode} ("forced" or "opt-in") and {@code grace_sign_ins} (0-100). */
  public void setPolicy(RoutingContext ctx) {
    Tenant tenant = VerificationApi.tenant(ctx);
    JsonObject body = VerificationApi.body(ctx);
    Object mode = body.getValue("mode");
    Object grace = body.getValue("grace_sign_ins", PolicyStore.Policy.DEFAULT.graceSignIns());
    if (!"forced".equals(mode) && !"opt-in".equals(mode)) {
      Problems.send(ctx, 400, "invalid-field", "'mode' must be \"forced\" or \"opt-in\".");
      return;
    }
    if (!(grace instanceof Integer g) || g < 0 || g > PolicyStore.Policy.MAX_GRACE) {
      Problems.send(ctx, 400, "invalid-field", "'grace_sign_ins' must be a whole number from 0 to "
          + PolicyStore.Policy.MAX_GRACE + ".");
      return;
    }
    PolicyStore.Policy policy = new PolicyStore.Policy(
        "forced".equals(mode) ? PolicyStore.Mode.FORCED : PolicyStore.Mode.OPT_IN, g);
    blocking(ctx, () -> {
      web.policies().set(tenant.id(), policy);
      web.activity().recordCompanyAction(tenant.id(), byApi("policy-changed",
          "2FA policy set to " + mode + " with " + g + " grace sign-ins."));
      return policy;
    }, p -> VerificationApi.respond(ctx, 200, json(p)));
  }

  static JsonObject json(PolicyStore.Policy p) {
    return new JsonObject().put("mode", p.mode() == PolicyStore.Mode.FORCED ? "forced" : "opt-in")
        .put("grace_sign_ins", p.graceSignIns());
  }

  static JsonObject json(UserStore.User u) {
    return new JsonObject().put("username", u.username()).put("display_name", u.displayName())
        .put("role", u.role().name().toLowerCase()).put("external", u.external()).put("disabled", u.disabled())
        .put("two_factor_required", u.twoFactorRequired())
        .put("created_at", u.createdAt() == null ? null : u.createdAt().toString())
        .put("last_sign_in_at", u.lastSignInAt() == null ? null : u.lastSignInAt().toString());
  }

  private static <T> void blocking(RoutingContext ctx, java.util.concurrent.Callable<T> work,
      java.util.function.Consumer<T> then) {
    ctx.vertx().executeBlocking(work, false).onComplete(r -> {
      if (r.failed() && r.cause() instanceof UserStore.Busy) {
        ctx.response().putHeader("retry-after", "2");
        Problems.send(ctx, 503, "busy", "Too many password hashes at once; retry in a moment.");
      } else if (r.failed()) {
        ctx.fail(r.cause());
      } else {
        then.accept(r.result());
      }
    });
  }

}
