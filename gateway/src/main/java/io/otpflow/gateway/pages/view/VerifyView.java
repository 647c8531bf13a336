package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * The second step of signing in ({@code pages/verify.jte}): the chosen way, then "Try another way".
 *
 * @param error the lock or the last answer's problem, or null
 * @param step what the chosen way shows now
 * @param others the other ways, each a button
 */
public record VerifyView(String company, String username, Notice error, Step step, List<Choice> others, String action,
    String pollHref, String signOutAction) {

  public VerifyView {
    others = List.copyOf(others);
  }

  /** What the page shows for the chosen way. */
  public enum Kind {
    /** No way to verify is set up. */
    NONE,
    /** Too many wrong codes: only the lock notice. */
    LOCKED,
    /** A code form: the app's code, a recovery code, or a texted code (with "Send a new code"). */
    CODE,
    /** A button that sends the text message or the push. */
    START,
    /** A push was sent: the number to tap, the live status, "I approved it". */
    PUSH_WAIT
  }

  /**
   * @param lead the paragraph above the form
   * @param recovery whether the code is a recovery code (letters too) rather than digits
   * @param resend whether a texted code can be sent again
   * @param method the way's key, for the forms that choose it again
   * @param number the push's two-digit number to tap
   */
  public record Step(Kind kind, String lead, boolean recovery, boolean resend, String button, String method,
      String number) {}

  /** Another way: its key, title and hint. */
  public record Choice(String key, String title, String hint) {}
}
