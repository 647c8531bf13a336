package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * What every page shares, for {@code layout.jte}: the brand and where it links, the navigation, the
 * sign-out form (when someone is signed in) and the CSRF token every form carries.
 *
 * @param signOutAction where the sign-out form posts, or null when nobody is signed in
 * @param csrf the session's CSRF token (the dev outbox's form token there), or null for pages without forms
 * @param badge a word shown first in the navigation ("development"), or null
 * @param script whether the page loads /assets/otpflow.js (the dev outbox's policy allows no script)
 * @param bodyClass the body's class, or null
 */
public record Layout(String brand, String brandHref, List<NavLink> nav, String signOutAction, String csrf, String badge,
    boolean script, String bodyClass, String footer) {

  public Layout {
    nav = List.copyOf(nav);
  }

  /** A link of the navigation; {@code current} marks the page the person is on. */
  public record NavLink(String href, String text, boolean current) {}

  /** A hosted page of a company (or of no company yet, for "not found"). */
  public static Layout hosted(String brand, String brandHref, List<NavLink> nav, String signOutAction, String csrf) {
    return new Layout(brand, brandHref, nav, signOutAction, csrf, null, true, null, "Protected by otpflow");
  }
}
