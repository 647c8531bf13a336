package io.otpflow.gateway.pages.view;

import java.util.List;

/** /admin/policy ({@code pages/policy.jte}): the 2FA policy's form and the company's audit log. */
public record PolicyView(Notice notice, String action, boolean forced, int grace, int maxGrace,
    List<AdminParts.LogLine> audit) {
  public PolicyView {
    audit = List.copyOf(audit);
  }
}
