package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * The phone-number form ({@code tag/phoneForm.jte}) of the setup and security pages.
 *
 * @param step the value of its hidden "action" field, which tells the handler what the form starts
 */
public record PhoneFormView(String action, String step, List<Country> countries) {
  public PhoneFormView {
    countries = List.copyOf(countries);
  }

  /** A country offered; the company's own region is preselected. */
  public record Country(String code, String name, boolean selected) {}
}
