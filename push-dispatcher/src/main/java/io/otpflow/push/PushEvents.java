package io.otpflow.push;

import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.PushDispatch;

/** Where the push dispatcher's results go; each call returns once the broker acknowledged it. */
interface PushEvents {
  /** A per-device delivery report on otp.delivery-reports.v1. */
  void report(DeliveryReport report) throws Exception;

  /** A push that failed for good, copied to otp.dead-letters.v1 with the reason. */
  void deadLetter(PushDispatch dispatch, String reason) throws Exception;

  /** A withdrawal, published to otp.push-dispatch.v1 so it is claimed, sent and retried like any push. */
  void dispatch(PushDispatch withdrawal) throws Exception;
}
