package io.otpflow.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.otpflow.common.events.Verdict;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WithdrawalsTest {
  private static final String VID = "VE" + "1".repeat(32);

  private static Verdict verdict(String outcome, String channel, String device) {
    return new Verdict("e", Instant.EPOCH, "acme", VID, "a", outcome, 0, channel, device);
  }

  @Test
  void onlyVerdictsThatEndAPushVerificationDecideIt() {
    assertThat(Withdrawals.decides(verdict("approved", "push", "DV1"))).isTrue();
    assertThat(Withdrawals.decides(verdict("approved", "push", null))).isTrue();
    assertThat(Withdrawals.decides(verdict("denied", "push", "DV1"))).as("a device said no").isTrue();
    assertThat(Withdrawals.decides(verdict("locked", "push", null))).isTrue();
    assertThat(Withdrawals.decides(verdict("expired", "push", null))).isTrue();
    assertThat(Withdrawals.decides(verdict("denied", "push", null))).as("a wrong code, attempts left").isFalse();
    assertThat(Withdrawals.decides(verdict("not_pending", "push", null))).isFalse();
    assertThat(Withdrawals.decides(verdict("approved", "sms", null))).isFalse();
    assertThat(Withdrawals.decides(verdict("approved", null, null))).isFalse();
    assertThat(Withdrawals.decides(new Verdict("e", Instant.EPOCH, "acme", "VE-garbage", "a", "approved", 0, "push", null)))
        .isFalse();
  }

  @Test
  void theReplacingTextSaysWhatHappened() {
    assertThat(Withdrawals.text(Withdrawals.mark(verdict("approved", "push", "DV1"))))
        .isEqualTo("This sign-in request was answered on another device.");
    assertThat(Withdrawals.text(Withdrawals.mark(verdict("denied", "push", "DV1"))))
        .isEqualTo("This sign-in request was answered on another device.");
    assertThat(Withdrawals.text(Withdrawals.mark(verdict("approved", "push", null)))).isEqualTo("This code has been used.");
    assertThat(Withdrawals.text(Withdrawals.mark(verdict("expired", "push", null))))
        .isEqualTo("This sign-in request has expired.");
    assertThat(Withdrawals.text(null)).isEqualTo("This sign-in request is no longer valid.");
    assertThat(Withdrawals.answeringDevice("DV1|approved")).isEqualTo("DV1");
    assertThat(Withdrawals.answeringDevice("-|locked")).isEqualTo("-");
  }
}
