package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * /admin/people/person ({@code pages/person.jte}): one person, their factors and devices, their
 * recovery codes, the helpdesk's password reset and their recent activity.
 *
 * @param securityHref the admin's own security page when this person is the admin (their factors are removed there), else null
 * @param removeAction where a factor's removal posts, or null when this person is the admin
 * @param passwordReset the reset form, or null where a reset does not apply
 */
public record PersonView(String peopleHref, String displayName, String username, boolean admin, boolean external,
    Notice notice, boolean disabled, String methods, String twoFactor, String lastSignIn, AdminParts.Buttons buttons,
    String securityHref, List<Factor> factors, List<Factor> devices, String recoveryCodes, String removeAction, int maxReason,
    PasswordReset passwordReset, List<AdminParts.LogLine> activity) {

  public PersonView {
    factors = List.copyOf(factors);
    devices = List.copyOf(devices);
    activity = List.copyOf(activity);
  }

  /** A factor or push device. */
  public record Factor(String id, String description, boolean active, String added, String lastUsed) {}

  /** The helpdesk's form that sets a new password. */
  public record PasswordReset(String action, int minPassword, int maxPassword) {}
}
