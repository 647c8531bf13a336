package io.otpflow.gateway.pages.view;

/**
 * A card of adding a second factor ({@code pages/enrol.jte}), on the setup page and from the security
 * page: the app's QR code and key, or where a code was texted, the confirmation form; each part is
 * null when the step does not show it.
 *
 * @param setup whether this is the forced setup (its card offers signing out, not going back)
 * @param phoneForm the phone form shown again after a refused number, or null
 * @param startAgain a link that starts the setup over, or null
 * @param back "Back to security", or null
 * @param signOutAction where the setup's "Sign out" posts, or null
 */
public record EnrolView(String title, boolean setup, Notice error, App app, String textedTo, PhoneFormView phoneForm,
    Confirm confirm, String startAgain, String back, String signOutAction) {

  /**
   * What an authenticator app needs: the QR code and the key, grouped for reading. The QR code is
   * kept as PNG bytes, so the image's data: URL is made here and nothing else can stand in it.
   */
  public record App(byte[] qrPng, String keyGrouped, String key) {
    public String qrDataUrl() {
      return "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(qrPng);
    }
  }

  /** The confirmation form: where it posts and its field's label. */
  public record Confirm(String action, String label) {}
}
