package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * /admin/people ({@code pages/people.jte}): everyone, and the form that adds a person.
 *
 * @param notices the last form's notice, and a warning when the registry did not answer for everyone
 * @param form what the add form shows again after a refusal (never the password)
 */
public record PeopleView(String company, boolean forced, String policyHref, List<Notice> notices, List<Row> rows,
    String createAction, NewPerson form, int maxName, int minPassword, int maxPassword) {

  public PeopleView {
    notices = List.copyOf(notices);
    rows = List.copyOf(rows);
  }

  /** One person's line. */
  public record Row(String href, String displayName, String username, boolean admin, boolean external, boolean disabled,
      AdminParts.TwoFactor twoFactor, boolean requiredForPerson, AdminParts.Buttons buttons) {}

  /** The add form's values. */
  public record NewPerson(String username, String displayName, boolean external, String role) {}
}
