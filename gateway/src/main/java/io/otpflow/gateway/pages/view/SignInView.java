package io.otpflow.gateway.pages.view;

/**
 * The sign-in form ({@code pages/signIn.jte}).
 *
 * @param username what was typed before (shown again after a wrong password), "" at first
 */
public record SignInView(String company, String action, Notice error, String username, int maxPassword) {
  /** The password field takes the focus once a username is there. */
  public boolean usernameTyped() {
    return !username.isEmpty();
  }
}
