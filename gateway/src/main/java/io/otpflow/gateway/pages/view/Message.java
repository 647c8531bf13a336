package io.otpflow.gateway.pages.view;

/**
 * A page that only says something: an error, "not allowed", "no such person".
 *
 * @param notice a notice under the heading, or null
 * @param text a paragraph under the heading, or null
 * @param back a link under it, or null
 * @param card whether it sits in a narrow card (the hosted pages) or bare (the gateway's error pages)
 */
public record Message(String title, String heading, Notice notice, String text, Link back, boolean card) {
  /** A link: where, and its words. */
  public record Link(String href, String text) {}

  /** A narrow card with a link back (the hosted pages' own messages). */
  public static Message card(String title, Notice notice, String text, Link back) {
    return new Message(title, title, notice, text, back, true);
  }

  public static Message bare(String title, String heading, String text) {
    return new Message(title, heading, null, text, null, false);
  }
}
