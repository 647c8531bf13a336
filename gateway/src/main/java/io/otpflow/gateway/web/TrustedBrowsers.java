package io.otpflow.gateway.web;

/**
 * "Trust this browser for 30 days": after a second factor, the browser may get a long-lived random
 * token in its own cookie; while it is valid for that person, their second factor is not asked again.
 */
public final class TrustedBrowsers {
  private TrustedBrowsers() {}

  /** True when this browser carries a valid trust token for {@code user}. */
  public static boolean trusts(PageContext page, UserStore.User user) {
    return false;
  }
}
