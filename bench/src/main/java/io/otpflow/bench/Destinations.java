package io.otpflow.bench;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A distinct, valid phone number and account for every send of a run, so that per-number and
 * per-account send limits are checked (their Lua runs as in production) but never what refuses or
 * slows a request. Numbers are US numbers that libphonenumber accepts, as the gateway requires.
 */
final class Destinations {
  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
  private final AtomicLong next = new AtomicLong(ThreadLocalRandom.current().nextLong(1_000_000));
  private final AtomicLong accounts = new AtomicLong();

  /** US area codes in use; the exchange (200-999) and line (0000-9999) vary beneath them. */
  private static final int[] AREAS = {201, 202, 203, 206, 212, 213, 214, 215, 267, 301, 303, 305, 310, 312, 313,
      404, 408, 412, 415, 425, 503, 512, 602, 617, 646, 702, 713, 718, 720, 773, 801, 804, 818, 858, 917, 919, 949};

  /** +1 NPA NXX XXXX; the few that libphonenumber refuses are skipped. */
  String nextNumber() {
    while (true) {
      long i = next.getAndIncrement();
      long area = AREAS[(int) (i % AREAS.length)];
      long exchange = 200 + (i / AREAS.length) % 800;
      long line = (i / (AREAS.length * 800L)) % 10_000;
      PhoneNumber n = new PhoneNumber().setCountryCode(1).setNationalNumber(area * 10_000_000 + exchange * 10_000 + line);
      if (PHONES.isValidNumber(n)) {
        return PHONES.format(n, PhoneNumberUtil.PhoneNumberFormat.E164);
      }
    }
  }

  String nextAccount() {
    return "bench-" + accounts.incrementAndGet();
  }
}
