package io.otpflow.gateway.pages.view;

import java.util.List;

/**
 * After a first second factor was confirmed ({@code pages/done.jte}), and new recovery codes on their
 * own ({@code pages/recoveryCodes.jte}): the codes, shown this once, or null when none were made now.
 */
public record DoneView(List<String> codes, String continueHref) {
  public DoneView {
    codes = codes == null ? null : List.copyOf(codes);
  }

  /** The codes one per line, for the copy button. */
  public String codesText() {
    return codes == null ? "" : String.join("\n", codes);
  }
}
