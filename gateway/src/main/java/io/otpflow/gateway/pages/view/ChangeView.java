package io.otpflow.gateway.pages.view;

/**
 * The confirmation page of a change that needs proof ({@code pages/change.jte}): what it does, and
 * the proof form.
 */
public record ChangeView(String title, String lead, Notice error, ProofForm proof, String cancelHref) {

  /**
   * The proof form: a code field, and "text me a code" when the person has a confirmed phone.
   *
   * @param id the factor the change is about, carried in a hidden field, or null
   * @param textedTo the phone a proof code was texted to (the form then asks for that code), or null
   * @param smsAction where "text me a code" posts, or null when the person has no confirmed phone
   * @param next the page that form comes back to
   */
  public record ProofForm(String action, String id, String textedTo, String button, String smsAction, String next,
      boolean smsSent) {}
}
