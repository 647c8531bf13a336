package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * The signed-in person's own page ({@code pages/security.jte}).
 *
 * @param passwordHref "Change password", or null for people who sign in through the identity provider
 * @param notices what happened since the last page: a change done, 2FA required, an admin's changes
 * @param add what the "Add a way to sign in" card offers
 * @param recoveryLeft unused recovery codes
 * @param offHref where turning 2FA off starts, or null when the company requires it
 */
public record SecurityView(String displayName, String username, String passwordHref, List<Notice> notices, boolean on,
    List<Factor> factors, Add add, int recoveryLeft, String recoveryHref, List<Trust> trusted, String revokeAction,
    List<Activity> activity, String offHref) {

  public SecurityView {
    notices = List.copyOf(notices);
    factors = List.copyOf(factors);
    trusted = List.copyOf(trusted);
    activity = List.copyOf(activity);
  }

  /** One way to sign in: its kind (App, SMS, Push), what it is, when added and last used (null: not yet). */
  public record Factor(String kind, String description, String added, String lastUsed, String removeHref) {}

  /**
   * The add card. When {@code fresh} is false, adding needs a new sign-in ({@code viaTrustedBrowser}
   * says why no code was asked), through {@code signOutAction}.
   */
  public record Add(boolean fresh, boolean viaTrustedBrowser, boolean hasTwoFactor, String signOutAction, String appAction,
      PhoneFormView phone) {}

  /** A trusted browser: since when, from where, until when. */
  public record Trust(String id, String browser, boolean current, String since, String ip, String until) {}

  /** A line of recent activity; {@code failed} lines are marked. */
  public record Activity(String when, boolean failed, boolean byAdmin, String detail, String ip) {}
}
