package io.otpflow.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.otpflow.common.events.AccountEvent;
import io.otpflow.common.events.AccountReply;
import io.otpflow.common.events.AccountRequest;
import io.otpflow.common.events.AccountView;
import io.otpflow.common.events.CheckReply;
import io.otpflow.common.events.CheckRequest;
import io.otpflow.common.events.DeliveryReport;
import io.otpflow.common.events.IssuerReply;
import io.otpflow.common.events.IssuerRequest;
import io.otpflow.common.events.PushDispatch;
import io.otpflow.common.events.SmsDispatch;
import io.otpflow.common.events.Verdict;
import io.otpflow.common.events.VerificationView;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Kafka contracts: every event a service publishes, as {@link Json} writes it, must satisfy its
 * published JSON Schema in {@code schemas/}, and read back to the same value. The schemas are what
 * a consumer written in another language relies on, so a field renamed or dropped in Java must fail here.
 */
class EventContractTest {
  private static final String BASE = "https://otpflow.dev/schemas/";
  private static final List<String> SCHEMAS =
      List.of(
          "verification-view", "issuer-request", "issuer-reply", "check-request", "check-reply",
          "sms-dispatch", "push-dispatch", "delivery-report", "verdict", "account-request", "account-reply",
          "account-event");

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.123Z");
  private static final String ID = "VE" + "0123456789abcdef0123456789abcdef";
  private static final String EVENT_ID = "3f2b8c1e-9d4a-4e6b-8f0c-1a2b3c4d5e6f";
  private static final String TENANT = "acme-shop";
  private static final String DEVICE = "DV" + "fedcba9876543210fedcba9876543210";
  private static final byte[] MAC_KEY = "a test key of at least thirty-two bytes!".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BOX_KEY = new byte[32];

  private static SchemaRepository repository;
  private static final Map<String, JsonObject> RAW = new LinkedHashMap<>();

  @BeforeAll
  static void loadSchemas() {
    repository = SchemaRepository.create(options());
    for (String name : SCHEMAS) {
      JsonObject raw = resource("schemas/" + name + ".v1.json");
      RAW.put(name, raw);
      repository.dereference(BASE + name + ".v1.json", JsonSchema.of(raw));
    }
  }

  private static JsonSchemaOptions options() {
    return new JsonSchemaOptions()
        .setDraft(Draft.DRAFT202012)
        .setBaseUri("https://otpflow.dev/")
        .setOutputFormat(OutputFormat.Basic);
  }

  // ---------------------------------------------------------------- samples

  static VerificationView pendingView() {
    return new VerificationView(
        ID, "pending", "sms", PhoneMask.mask("+14155552671"), "user-42", NOW, NOW.plus(Duration.ofMinutes(5)),
        "queued", 5);
  }

  static VerificationView approvedViewWithoutAccount() {
    return new VerificationView(
        ID, "approved", "sms", "+44*******00", null, NOW, NOW.plus(Duration.ofMinutes(10)), "delivered", 0);
  }

  static IssuerRequest.Send fullSend() {
    return IssuerRequest.Send.sms(
        EVENT_ID, NOW, TENANT, ID, "+14155552671", "user-42", "203.0.113.7", "order-7781-retry",
        TenantDirectory.sha256("+14155552671|sms|user-42"));
  }

  static IssuerRequest.Send pushApproveSend() {
    return new IssuerRequest.Send(
        EVENT_ID, NOW, TENANT, ID, "push", null, "team-ops", null, null, TenantDirectory.sha256("push|team-ops"),
        null, "approve", true, "Firefox on Linux, Berlin");
  }

  static IssuerRequest.Send phoneFactorSend() {
    return new IssuerRequest.Send(
        EVENT_ID, NOW, TENANT, ID, "sms", null, "user-42", null, null, TenantDirectory.sha256("sms|user-42"),
        "FA" + "0123456789abcdef0123456789abcdef", null, null, null);
  }

  static PushDispatch pushDispatch(String mode) {
    SecretBox dispatchBox = new SecretBox(Map.of("k2026", BOX_KEY));
    SecretBox addressBox = new SecretBox(Map.of("a2026", new byte[32]));
    return new PushDispatch(
        EVENT_ID, NOW, TENANT, ID, "team-ops", DEVICE, "apns",
        addressBox.seal("a".repeat(64), "push-token|" + TENANT + "|team-ops"), mode,
        "code".equals(mode) ? dispatchBox.seal("042917", ID) : null, "Acme",
        "code".equals(mode) ? "Your sign-in code is {code}." : "Approve sign-in to Acme from Firefox on Linux?",
        "approve".equals(mode), NOW.plus(Duration.ofMinutes(5)));
  }

  static SmsDispatch dispatch(String sender) {
    SecretBox box = new SecretBox(Map.of("k2026", BOX_KEY));
    return new SmsDispatch(
        EVENT_ID, NOW, TENANT, ID, "+14155552671", box.seal("042917", ID),
        "Acme: your verification code is {code}. It expires in 5 minutes.", sender, NOW.plus(Duration.ofMinutes(5)));
  }

  static CheckRequest.Answer answer(String decision, Integer number) {
    return new CheckRequest.Answer(DEVICE, decision, number, new SecretBox(Map.of("f2026", new byte[32]))
        .seal("MEUCIQ…", CheckRequest.Answer.signatureAad(ID, DEVICE)));
  }

  static CheckRequest answerRequest() {
    return CheckRequest.answer(EVENT_ID, NOW, null, ID, answer("approve", 42));
  }

  static VerificationView pushView() {
    return new VerificationView(ID, "approved", "push", null, "team-ops", NOW, NOW.plus(Duration.ofMinutes(5)), "sent", 0,
        "approve", 42, List.of(new VerificationView.DeviceDelivery(DEVICE, "sent", null),
            new VerificationView.DeviceDelivery("DV" + "1".repeat(32), "failed", "device-unregistered")),
        new VerificationView.Answer(DEVICE, "iPhone 15", "Alice", "approve", NOW.plusSeconds(9)));
  }

  static CheckRequest checkRequest() {
    return new CheckRequest(EVENT_ID, NOW, TENANT, ID, new CodeMac(MAC_KEY).mac(TENANT, ID, "042917"));
  }

  private static final String FACTOR = "FA" + "0123456789abcdef0123456789abcdef";
  private static final String ACCOUNT = "user-42";

  static SealedValue sealed(String what) {
    return new SecretBox(Map.of("f2026", new byte[32])).seal(what, "aad");
  }

  static AccountRequest.Proof codeProof() {
    return new AccountRequest.Proof(new CodeMac(MAC_KEY).mac(TENANT, EVENT_ID, "123456"), null, null, false, null);
  }

  static AccountView accountView() {
    return new AccountView(ACCOUNT,
        List.of(new AccountView.Factor(FACTOR, "totp", "active", "Pixel 8", NOW, NOW, NOW, null, "SHA1", 6, 30, null, null,
                null, null),
            new AccountView.Factor("FA" + "1".repeat(32), "phone", "pending", null, NOW, null, null,
                NOW.plus(Duration.ofMinutes(10)), null, null, null, "+141******71", ID, null, null)),
        List.of(new AccountView.Factor(DEVICE, "device", "active", "Alice", NOW, NOW, null, null, null, null, null, null,
            null, "apns", "iPhone 15")),
        new AccountView.RecoveryCodes(9, NOW, NOW));
  }

  static AccountRequest.EnrollTotp enrollTotp() {
    return new AccountRequest.EnrollTotp(EVENT_ID, NOW, TENANT, ACCOUNT, FACTOR, sealed("JBSWY3DPEHPK3PXP"), "SHA1", 6, 30,
        "Pixel 8");
  }

  static AccountEvent accountEvent() {
    return new AccountEvent(EVENT_ID, NOW, TENANT, ACCOUNT, "factor_removed", FACTOR, "totp", "admin", "Lost phone",
        "admin", null);
  }

  static List<String> macs() {
    CodeMac mac = new CodeMac(MAC_KEY);
    return List.of(mac.mac(TENANT, "recovery-code", "abcde23456"), mac.mac(TENANT, "recovery-code", "fghjk23456"));
  }

  static Stream<Arguments> accountSamples() {
    return Stream.of(
        Arguments.of("account-request", enrollTotp(), AccountRequest.class),
        Arguments.of("account-request", new AccountRequest.EnrollPhone(EVENT_ID, NOW, TENANT, ACCOUNT, FACTOR,
            sealed("+14155552671"), "+141******71", new CodeMac(MAC_KEY).mac(TENANT, "phone-number", "+14155552671"), ID,
            null), AccountRequest.class),
        Arguments.of("account-request", new AccountRequest.Confirm(EVENT_ID, NOW, TENANT, ACCOUNT, FACTOR,
            new CodeMac(MAC_KEY).mac(TENANT, EVENT_ID, "123456")), AccountRequest.class),
        Arguments.of("account-request", new AccountRequest.Remove(EVENT_ID, NOW, TENANT, ACCOUNT, FACTOR, codeProof()),
            AccountRequest.class),
        Arguments.of("account-request", new AccountRequest.Remove(EVENT_ID, NOW, TENANT, ACCOUNT, DEVICE,
            new AccountRequest.Proof(null, null, null, true, "Lost phone, ticket 4411")), AccountRequest.class),
        Arguments.of("account-request", new AccountRequest.TurnOff(EVENT_ID, NOW, TENANT, ACCOUNT, codeProof()),
            AccountRequest.class),
        Arguments.of("account-request", new AccountRequest.GenerateRecoveryCodes(EVENT_ID, NOW, TENANT, ACCOUNT, macs(),
            new AccountRequest.Proof(null, null, ID, false, null)), AccountRequest.class),
        Arguments.of("account-request", new AccountRequest.RegisterDevice(EVENT_ID, NOW, TENANT, ACCOUNT, DEVICE, "apns",
            sealed("a".repeat(64)), new CodeMac(MAC_KEY).mac(TENANT, "push-token", "a".repeat(64)), "iPhone 15", "Alice",
            "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"), AccountRequest.class),
        Arguments.of("account-request", new AccountRequest.Get(EVENT_ID, NOW, TENANT, ACCOUNT), AccountRequest.class),
        Arguments.of("account-reply", new AccountReply.Done(accountView(), FACTOR), AccountReply.class),
        Arguments.of("account-reply", new AccountReply.Done(new AccountView(ACCOUNT, List.of(), List.of(),
            new AccountView.RecoveryCodes(0, null, null))), AccountReply.class),
        Arguments.of("account-reply", new AccountReply.Denied(4), AccountReply.class),
        Arguments.of("account-reply", new AccountReply.ProofRefused("proof-required"), AccountReply.class),
        Arguments.of("account-reply", new AccountReply.Locked(60), AccountReply.class),
        Arguments.of("account-reply", new AccountReply.NotFound(), AccountReply.class),
        Arguments.of("account-reply", new AccountReply.Rejected("device-limit", "The account has 10 devices already."),
            AccountReply.class),
        Arguments.of("account-reply", new AccountReply.Unavailable("redis"), AccountReply.class),
        Arguments.of("account-event", accountEvent(), AccountEvent.class),
        Arguments.of("account-event", new AccountEvent(EVENT_ID, NOW, TENANT, ACCOUNT, "recovery_codes_generated", null,
            "recovery_codes", "user", null, "code", 10), AccountEvent.class),
        Arguments.of("account-event", new AccountEvent(EVENT_ID, NOW, TENANT, ACCOUNT, "device_registered", DEVICE, "device",
            "user", null, "none", null), AccountEvent.class),
        Arguments.of("check-request", new CheckRequest(EVENT_ID, NOW, TENANT, ID,
            new CodeMac(MAC_KEY).mac(TENANT, ID, "abcde23456"), macs().get(0)), CheckRequest.class),
        Arguments.of("issuer-request", new IssuerRequest.Send(EVENT_ID, NOW, TENANT, ID, "totp", null, ACCOUNT, null, null,
            TenantDirectory.sha256("totp|" + ACCOUNT), null, null, null, null), IssuerRequest.class),
        Arguments.of("issuer-request", new IssuerRequest.Send(EVENT_ID, NOW, TENANT, ID, "sms", null, ACCOUNT, null, null,
            TenantDirectory.sha256("sms|" + ACCOUNT), null, null, null, null), IssuerRequest.class),
        Arguments.of("verification-view", new VerificationView(ID, "pending", "totp", null, ACCOUNT, NOW,
            NOW.plus(Duration.ofMinutes(5)), null, 5), VerificationView.class));
  }

  /** schema name, the event as its producer builds it, the type its consumer reads it as. */
  static Stream<Arguments> samples() {
    return Stream.concat(accountSamples(), foundationSamples());
  }

  static Stream<Arguments> foundationSamples() {
    return Stream.of(
        Arguments.of("verification-view", pendingView(), VerificationView.class),
        Arguments.of("verification-view", approvedViewWithoutAccount(), VerificationView.class),
        Arguments.of("issuer-request", fullSend(), IssuerRequest.class),
        Arguments.of(
            "issuer-request",
            IssuerRequest.Send.sms(EVENT_ID, NOW, TENANT, ID, "+4915112345678", null, null, null,
                TenantDirectory.sha256("+4915112345678|sms|null")),
            IssuerRequest.class),
        Arguments.of("issuer-request", pushApproveSend(), IssuerRequest.class),
        Arguments.of("issuer-request", phoneFactorSend(), IssuerRequest.class),
        Arguments.of(
            "issuer-request",
            IssuerRequest.Send.sms(EVENT_ID, NOW, TENANT, ID, "+447911123456", "a.b@example.com", "2001:db8::1",
                null, TenantDirectory.sha256("+447911123456|sms|a.b@example.com")),
            IssuerRequest.class),
        Arguments.of("issuer-request", new IssuerRequest.Status(EVENT_ID, NOW, TENANT, ID), IssuerRequest.class),
        Arguments.of("issuer-reply", new IssuerReply.Created(pendingView(), false), IssuerReply.class),
        Arguments.of("issuer-reply", new IssuerReply.Created(pendingView(), true), IssuerReply.class),
        Arguments.of("issuer-reply", new IssuerReply.Found(approvedViewWithoutAccount()), IssuerReply.class),
        Arguments.of("issuer-reply", new IssuerReply.RateLimited("destination", 42), IssuerReply.class),
        Arguments.of("issuer-reply", new IssuerReply.NotFound(), IssuerReply.class),
        Arguments.of(
            "issuer-reply",
            new IssuerReply.Rejected("idempotency-key-reused", "This Idempotency-Key was used for a different request."),
            IssuerReply.class),
        Arguments.of("issuer-reply", new IssuerReply.Unavailable("redis"), IssuerReply.class),
        Arguments.of("check-request", checkRequest(), CheckRequest.class),
        Arguments.of("check-request", answerRequest(), CheckRequest.class),
        Arguments.of("check-request", CheckRequest.answer(EVENT_ID, NOW, TENANT, ID, answer("deny", null)), CheckRequest.class),
        Arguments.of("check-reply", new CheckReply.Declined(), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.Refused(CheckReply.Refused.INVALID_SIGNATURE), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.Refused(CheckReply.Refused.CODE_EXPECTED), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.NotPending("denied"), CheckReply.class),
        Arguments.of("verification-view", pushView(), VerificationView.class),
        Arguments.of("issuer-reply", new IssuerReply.Created(pushView(), false), IssuerReply.class),
        Arguments.of("issuer-reply", new IssuerReply.RateLimited("unanswered", 3600), IssuerReply.class),
        Arguments.of("verdict", new Verdict(EVENT_ID, NOW, TENANT, ID, "team-ops", "denied", 0, "push", DEVICE),
            Verdict.class),
        Arguments.of("check-reply", new CheckReply.Approved(), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.Denied(3), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.Expired(), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.Locked(0), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.Locked(120), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.NotPending("approved"), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.NotPending("canceled"), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.NotFound(), CheckReply.class),
        Arguments.of("check-reply", new CheckReply.Unavailable("redis"), CheckReply.class),
        Arguments.of("sms-dispatch", dispatch("Acme"), SmsDispatch.class),
        Arguments.of("sms-dispatch", dispatch(null), SmsDispatch.class),
        Arguments.of("push-dispatch", pushDispatch("code"), PushDispatch.class),
        Arguments.of("push-dispatch", pushDispatch("approve"), PushDispatch.class),
        Arguments.of("push-dispatch", pushDispatch("withdraw"), PushDispatch.class),
        Arguments.of(
            "delivery-report",
            new DeliveryReport(EVENT_ID, NOW, TENANT, ID, "sms", "twilio", "sent", "SM0123456789abcdef0123456789abcdef",
                null, null, null),
            DeliveryReport.class),
        Arguments.of(
            "delivery-report",
            new DeliveryReport(EVENT_ID, NOW, TENANT, ID, "sms", "twilio", "failed", null, "21610", "permanent", null),
            DeliveryReport.class),
        Arguments.of(
            "delivery-report",
            new DeliveryReport(EVENT_ID, NOW, TENANT, ID, "sms", "outbox", "failed", null, null, "expired-before-send", null),
            DeliveryReport.class),
        Arguments.of(
            "delivery-report",
            new DeliveryReport(EVENT_ID, NOW, TENANT, ID, "sms", "twilio", "delivered", "SMabc", null, null, null),
            DeliveryReport.class),
        Arguments.of(
            "delivery-report",
            new DeliveryReport(EVENT_ID, NOW, TENANT, ID, "push", "apns", "failed", null, "410", "device-unregistered",
                DEVICE),
            DeliveryReport.class),
        Arguments.of("verdict", new Verdict(EVENT_ID, NOW, TENANT, ID, "user-42", "denied", 4, "sms", null), Verdict.class),
        Arguments.of("verdict", new Verdict(EVENT_ID, NOW, TENANT, ID, null, "approved", 0, "sms", null), Verdict.class),
        Arguments.of("verdict", new Verdict(EVENT_ID, NOW, TENANT, ID, "team-ops", "approved", 0, "push", DEVICE),
            Verdict.class),
        Arguments.of("verdict", new Verdict(EVENT_ID, NOW, TENANT, ID, null, "not_found", 0, null, null), Verdict.class));
  }

  // ---------------------------------------------------------------- positive cases

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("samples")
  void producedEventsSatisfyTheirSchemaAndReadBackEqual(String schema, Object sample, Class<?> type) {
    byte[] bytes = Json.write(sample);

    OutputUnit result = validate(schema, json(bytes));

    assertThat(result.getValid()).as("%s against %s: %s", new String(bytes, StandardCharsets.UTF_8), schema, result.getErrors()).isTrue();
    assertThat(Json.read(bytes, type)).isEqualTo(sample);
  }

  @Test
  void keysAreSnakeCaseInstantsIso8601AndNullsLeftOut() {
    JsonObject send = json(Json.write(IssuerRequest.Send.sms(EVENT_ID, NOW, TENANT, ID, "+4915112345678",
        null, null, null, TenantDirectory.sha256("x"))));

    assertThat(send.getString("type")).isEqualTo("send");
    assertThat(send.getString("verification_id")).isEqualTo(ID);
    assertThat(send.getString("occurred_at")).isEqualTo("2026-03-01T12:00:00.123Z");
    assertThat(send.fieldNames()).doesNotContain("account", "client_ip", "idempotency_key", "verificationId");
  }

  @Test
  void everyVariantOfEverySealedEventHasASample() {
    Set<Class<?>> sampled =
        samples().map(a -> a.get()[1].getClass()).collect(Collectors.toSet());
    for (Class<?> sealed : List.of(IssuerRequest.class, IssuerReply.class, CheckReply.class, AccountRequest.class,
        AccountReply.class)) {
      assertThat(sampled).as("samples of %s", sealed.getSimpleName()).contains(sealed.getPermittedSubclasses());
    }
  }

  /** A record component added in Java without its schema property (or renamed) fails here. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("recordsAndTheirSchemaProperties")
  void schemaPropertiesAreExactlyTheRecordComponents(String where, Class<? extends Record> type, JsonObject properties,
      String discriminator) {
    PropertyNamingStrategies.SnakeCaseStrategy snake = new PropertyNamingStrategies.SnakeCaseStrategy();
    Set<String> expected =
        Arrays.stream(type.getRecordComponents()).map(c -> snake.translate(c.getName())).collect(Collectors.toSet());
    Set<String> declared = new HashSet<>(properties.fieldNames());
    if (discriminator != null) {
      assertThat(declared).contains(discriminator);
      declared.remove(discriminator);
    }
    assertThat(declared).as(where).isEqualTo(expected);
  }

  static Stream<Arguments> recordsAndTheirSchemaProperties() {
    return Stream.of(
        top("verification-view", VerificationView.class),
        top("check-request", CheckRequest.class),
        Arguments.of("check-request answer", CheckRequest.Answer.class,
            RAW.get("check-request").getJsonObject("properties").getJsonObject("answer").getJsonObject("properties"), null),
        Arguments.of("check-request answer signature", SealedValue.class, RAW.get("check-request").getJsonObject("properties")
            .getJsonObject("answer").getJsonObject("properties").getJsonObject("signature").getJsonObject("properties"), null),
        Arguments.of("verification-view device", VerificationView.DeviceDelivery.class, RAW.get("verification-view")
            .getJsonObject("properties").getJsonObject("devices").getJsonObject("items").getJsonObject("properties"), null),
        Arguments.of("verification-view answered_by", VerificationView.Answer.class, RAW.get("verification-view")
            .getJsonObject("properties").getJsonObject("answered_by").getJsonObject("properties"), null),
        top("sms-dispatch", SmsDispatch.class),
        top("push-dispatch", PushDispatch.class),
        top("delivery-report", DeliveryReport.class),
        top("verdict", Verdict.class),
        top("account-event", AccountEvent.class),
        Arguments.of("account-reply account view", AccountView.class,
            RAW.get("account-reply").getJsonObject("$defs").getJsonObject("account_view").getJsonObject("properties"), null),
        Arguments.of("account-reply factor", AccountView.Factor.class,
            RAW.get("account-reply").getJsonObject("$defs").getJsonObject("factor").getJsonObject("properties"), null),
        Arguments.of("account-reply recovery codes", AccountView.RecoveryCodes.class,
            RAW.get("account-reply").getJsonObject("$defs").getJsonObject("recovery_codes").getJsonObject("properties"), null),
        Arguments.of("account-request proof", AccountRequest.Proof.class,
            RAW.get("account-request").getJsonObject("$defs").getJsonObject("proof").getJsonObject("properties"), null),
        variant("account-request", "enroll_totp", AccountRequest.EnrollTotp.class, "type"),
        variant("account-request", "enroll_phone", AccountRequest.EnrollPhone.class, "type"),
        variant("account-request", "confirm", AccountRequest.Confirm.class, "type"),
        variant("account-request", "remove", AccountRequest.Remove.class, "type"),
        variant("account-request", "turn_off", AccountRequest.TurnOff.class, "type"),
        variant("account-request", "generate_recovery_codes", AccountRequest.GenerateRecoveryCodes.class, "type"),
        variant("account-request", "register_device", AccountRequest.RegisterDevice.class, "type"),
        variant("account-request", "get", AccountRequest.Get.class, "type"),
        variant("account-reply", "done", AccountReply.Done.class, "outcome"),
        variant("account-reply", "denied", AccountReply.Denied.class, "outcome"),
        variant("account-reply", "proof_refused", AccountReply.ProofRefused.class, "outcome"),
        variant("account-reply", "locked", AccountReply.Locked.class, "outcome"),
        variant("account-reply", "not_found", AccountReply.NotFound.class, "outcome"),
        variant("account-reply", "rejected", AccountReply.Rejected.class, "outcome"),
        variant("account-reply", "unavailable", AccountReply.Unavailable.class, "outcome"),
        Arguments.of("sms-dispatch code", SealedValue.class,
            RAW.get("sms-dispatch").getJsonObject("properties").getJsonObject("code").getJsonObject("properties"), null),
        variant("issuer-request", "send", IssuerRequest.Send.class, "type"),
        variant("issuer-request", "status", IssuerRequest.Status.class, "type"),
        variant("issuer-reply", "created", IssuerReply.Created.class, "outcome"),
        variant("issuer-reply", "found", IssuerReply.Found.class, "outcome"),
        variant("issuer-reply", "rate_limited", IssuerReply.RateLimited.class, "outcome"),
        variant("issuer-reply", "not_found", IssuerReply.NotFound.class, "outcome"),
        variant("issuer-reply", "rejected", IssuerReply.Rejected.class, "outcome"),
        variant("issuer-reply", "unavailable", IssuerReply.Unavailable.class, "outcome"),
        variant("check-reply", "approved", CheckReply.Approved.class, "outcome"),
        variant("check-reply", "denied", CheckReply.Denied.class, "outcome"),
        variant("check-reply", "expired", CheckReply.Expired.class, "outcome"),
        variant("check-reply", "locked", CheckReply.Locked.class, "outcome"),
        variant("check-reply", "not_pending", CheckReply.NotPending.class, "outcome"),
        variant("check-reply", "not_found", CheckReply.NotFound.class, "outcome"),
        variant("check-reply", "unavailable", CheckReply.Unavailable.class, "outcome"),
        variant("check-reply", "declined", CheckReply.Declined.class, "outcome"),
        variant("check-reply", "refused", CheckReply.Refused.class, "outcome"));
  }

  private static Arguments top(String schema, Class<? extends Record> type) {
    return Arguments.of(schema, type, RAW.get(schema).getJsonObject("properties"), null);
  }

  private static Arguments variant(String schema, String def, Class<? extends Record> type, String discriminator) {
    return Arguments.of(
        schema + " " + def, type,
        RAW.get(schema).getJsonObject("$defs").getJsonObject(def).getJsonObject("properties"), discriminator);
  }

  @Test
  void schemasDeclareDraft202012TheirIdAndAllowAdditiveFields() {
    RAW.forEach(
        (name, schema) -> {
          assertThat(schema.getString("$schema")).isEqualTo("https://json-schema.org/draft/2020-12/schema");
          assertThat(schema.getString("$id")).isEqualTo(BASE + name + ".v1.json");
          // additionalProperties must never be false anywhere: v1 grows by adding optional fields.
          assertThat(schema.encode()).doesNotContain("\"additionalProperties\":false");
        });
  }

  @Test
  void schemasAreValidDraft202012Schemas() {
    Vertx vertx = Vertx.vertx();
    try {
      // The meta-schemas ship inside vertx-json-schema; preloading reads them from the classpath.
      Validator meta =
          SchemaRepository.create(options())
              .preloadMetaSchema(vertx.fileSystem(), Draft.DRAFT202012)
              .validator(Draft.DRAFT202012.getIdentifier());
      RAW.forEach(
          (name, schema) -> {
            OutputUnit result = meta.validate(schema);
            assertThat(result.getValid()).as("%s: %s", name, result.getErrors()).isTrue();
          });
      assertThat(meta.validate(new JsonObject().put("type", "strnig").put("required", "id")).getValid())
          .as("the meta-schema check itself can fail")
          .isFalse();
    } finally {
      vertx.close().await();
    }
  }

  // ---------------------------------------------------------------- negative cases

  static Stream<Arguments> brokenEvents() {
    return Stream.of(
        broken("check-request", checkRequest(), "without code_mac", j -> j.remove("code_mac")),
        broken("check-request", checkRequest(), "with a 63-digit code_mac",
            j -> j.put("code_mac", j.getString("code_mac").substring(1))),
        broken("check-request", checkRequest(), "with an upper-case code_mac",
            j -> j.put("code_mac", j.getString("code_mac").toUpperCase())),
        broken("check-request", checkRequest(), "with a short verification id", j -> j.put("verification_id", "VE1234")),
        broken("check-request", checkRequest(), "with a verification id in upper case",
            j -> j.put("verification_id", ID.toUpperCase())),
        broken("check-request", checkRequest(), "with occurred_at not an instant", j -> j.put("occurred_at", "yesterday")),
        broken("check-request", checkRequest(), "with an upper-case tenant", j -> j.put("tenant", "ACME")),
        broken("check-request", checkRequest(), "without event_id", j -> j.remove("event_id")),
        broken("check-request", checkRequest(), "a code check without tenant", j -> j.remove("tenant")),
        broken("check-request", answerRequest(), "an answer with a code_mac too",
            j -> j.put("code_mac", json(Json.write(checkRequest())).getString("code_mac"))),
        broken("check-request", answerRequest(), "an answer deciding maybe", j -> j.getJsonObject("answer").put("decision", "maybe")),
        broken("check-request", answerRequest(), "an answer with the signature in clear",
            j -> j.getJsonObject("answer").put("signature", "MEUCIQDx")),
        broken("check-request", answerRequest(), "an answer without signature", j -> j.getJsonObject("answer").remove("signature")),
        broken("check-request", answerRequest(), "an answer with a three-digit number",
            j -> j.getJsonObject("answer").put("number", 100)),
        broken("check-request", answerRequest(), "an answer from a bad device id",
            j -> j.getJsonObject("answer").put("device_id", "FA" + "0".repeat(32))),
        broken("check-reply", new CheckReply.Refused(CheckReply.Refused.INVALID_SIGNATURE), "refused for an unknown reason",
            j -> j.put("reason", "because")),
        broken("verification-view", pushView(), "a device with an unknown delivery state",
            j -> j.getJsonArray("devices").getJsonObject(0).put("delivery", "lost")),
        broken("verification-view", pushView(), "a device with its token", j -> j.getJsonArray("devices").getJsonObject(0)
            .put("device_id", "a".repeat(64))),
        broken("verification-view", pushView(), "a number of one digit", j -> j.put("number", 7)),
        broken("issuer-request", pushApproveSend(), "push without account", j -> j.remove("account")),
        broken("issuer-request", pushApproveSend(), "push to a number", j -> j.put("to", "+14155552671")),
        broken("issuer-request", fullSend(), "with an unknown type", j -> j.put("type", "cancel")),
        broken("issuer-request", fullSend(), "without type", j -> j.remove("type")),
        broken("issuer-request", fullSend(), "sms send without to, factor or account", j -> {
          j.remove("to");
          j.remove("account");
        }),
        broken("issuer-request", fullSend(), "totp send with a destination", j -> j.put("channel", "totp")),
        broken("account-request", enrollTotp(), "enrolment with a plain secret", j -> j.put("secret", "JBSWY3DPEHPK3PXP")),
        broken("account-request", enrollTotp(), "enrolment with 7 digits", j -> j.put("digits", 7)),
        broken("account-request", enrollTotp(), "enrolment with MD5", j -> j.put("algorithm", "MD5")),
        broken("account-request", enrollTotp(), "with an unknown type", j -> j.put("type", "disable_all")),
        broken("account-request", enrollTotp(), "without account", j -> j.remove("account")),
        broken("account-request", new AccountRequest.Remove(EVENT_ID, NOW, TENANT, ACCOUNT, FACTOR, codeProof()),
            "remove with a code in clear", j -> j.getJsonObject("proof").put("code_mac", "123456")),
        broken("account-request", new AccountRequest.Remove(EVENT_ID, NOW, TENANT, ACCOUNT, FACTOR, codeProof()),
            "remove without proof", j -> j.remove("proof")),
        broken("account-request", new AccountRequest.GenerateRecoveryCodes(EVENT_ID, NOW, TENANT, ACCOUNT, macs(), codeProof()),
            "recovery codes in clear", j -> j.put("code_macs", new JsonArray().add("abcde-23456"))),
        broken("account-reply", new AccountReply.Done(accountView()), "a view with a factor of unknown type",
            j -> j.getJsonObject("account").getJsonArray("factors").getJsonObject(0).put("type", "sms")),
        broken("account-reply", new AccountReply.Done(accountView()), "a view without recovery codes",
            j -> j.getJsonObject("account").remove("recovery_codes")),
        broken("account-reply", new AccountReply.ProofRefused("invalid-proof"), "an unknown refusal", j -> j.put("reason", "nope")),
        broken("account-event", accountEvent(), "with an unknown type", j -> j.put("type", "factor_stolen")),
        broken("account-event", accountEvent(), "an admin change without reason", j -> j.remove("reason")),
        broken("account-event", accountEvent(), "without actor", j -> j.remove("actor")),
        broken("issuer-request", fullSend(), "send to a national number", j -> j.put("to", "4155552671")),
        broken("issuer-request", fullSend(), "send without fingerprint", j -> j.remove("fingerprint")),
        broken("issuer-request", fullSend(), "send with a client_ip that is no address", j -> j.put("client_ip", "me")),
        broken("issuer-request", new IssuerRequest.Status(EVENT_ID, NOW, TENANT, ID), "status without verification id",
            j -> j.remove("verification_id")),
        broken("issuer-reply", new IssuerReply.Created(pendingView(), false), "with an unknown outcome",
            j -> j.put("outcome", "teleported")),
        broken("issuer-reply", new IssuerReply.Created(pendingView(), false), "created without verification",
            j -> j.remove("verification")),
        broken("issuer-reply", new IssuerReply.Created(pendingView(), false), "created with a bad delivery state inside",
            j -> j.getJsonObject("verification").put("delivery", "lost")),
        broken("issuer-reply", new IssuerReply.Found(pendingView()), "found with a verification missing status",
            j -> j.getJsonObject("verification").remove("status")),
        broken("issuer-reply", new IssuerReply.RateLimited("ip", 5), "rate limited for an unknown reason",
            j -> j.put("reason", "moon-phase")),
        broken("issuer-reply", new IssuerReply.RateLimited("ip", 5), "rate limited with retry after 0",
            j -> j.put("retry_after_seconds", 0)),
        broken("check-reply", new CheckReply.Denied(2), "with an unknown outcome", j -> j.put("outcome", "maybe")),
        broken("check-reply", new CheckReply.Denied(2), "denied without attempts_left", j -> j.remove("attempts_left")),
        broken("check-reply", new CheckReply.Denied(2), "denied with negative attempts_left",
            j -> j.put("attempts_left", -1)),
        broken("check-reply", new CheckReply.NotPending("approved"), "not_pending with status pending",
            j -> j.put("status", "pending")),
        broken("check-reply", new CheckReply.Locked(30), "locked without retry_after_seconds",
            j -> j.remove("retry_after_seconds")),
        broken("verification-view", pendingView(), "with an unknown status", j -> j.put("status", "active")),
        broken("verification-view", pendingView(), "with an unknown delivery state", j -> j.put("delivery", "read")),
        broken("verification-view", pendingView(), "with a bad id", j -> j.put("id", "VX0123456789abcdef0123456789abcdef")),
        broken("verification-view", pendingView(), "with attempts_left as a string", j -> j.put("attempts_left", "5")),
        broken("sms-dispatch", dispatch("Acme"), "without code", j -> j.remove("code")),
        broken("sms-dispatch", dispatch("Acme"), "with a code missing its key id",
            j -> j.getJsonObject("code").remove("key_id")),
        broken("sms-dispatch", dispatch("Acme"), "with a template without {code}",
            j -> j.put("template", "Acme: your code is 123456")),
        broken("sms-dispatch", dispatch("Acme"), "without expires_at", j -> j.remove("expires_at")),
        broken("push-dispatch", pushDispatch("code"), "code mode without code", j -> j.remove("code")),
        broken("push-dispatch", pushDispatch("approve"), "without token", j -> j.remove("token")),
        broken("push-dispatch", pushDispatch("approve"), "with an unknown platform", j -> j.put("platform", "sms")),
        broken("push-dispatch", pushDispatch("approve"), "with an unknown mode", j -> j.put("mode", "maybe")),
        broken("push-dispatch", pushDispatch("approve"), "with a bad device id", j -> j.put("device_id", "DV12")),
        broken("issuer-request", pushApproveSend(), "push with an unknown mode", j -> j.put("mode", "silent")),
        broken("delivery-report", new DeliveryReport(EVENT_ID, NOW, TENANT, ID, "sms", "twilio", "sent", "SM1", null, null, null),
            "with an unknown state", j -> j.put("state", "read")),
        broken("delivery-report", new DeliveryReport(EVENT_ID, NOW, TENANT, ID, "sms", "twilio", "sent", "SM1", null, null, null),
            "without provider", j -> j.remove("provider")),
        broken("verdict", new Verdict(EVENT_ID, NOW, TENANT, ID, "user-42", "denied", 4, "sms", null), "with outcome unavailable",
            j -> j.put("outcome", "unavailable")),
        broken("verdict", new Verdict(EVENT_ID, NOW, TENANT, ID, "user-42", "denied", 4, "sms", null), "without attempts_left",
            j -> j.remove("attempts_left")));
  }

  private static Arguments broken(String schema, Object sample, String what, Consumer<JsonObject> breakIt) {
    JsonObject json = json(Json.write(sample));
    // The unbroken sample must pass, or a failure below would prove nothing.
    assertThat(validate(schema, json.copy()).getValid()).as("unbroken %s", json).isTrue();
    breakIt.accept(json);
    return Arguments.of(schema, what, json);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("brokenEvents")
  void brokenEventsFailValidation(String schema, String what, JsonObject json) {
    assertThat(validate(schema, json).getValid()).as("%s %s: %s", schema, what, json).isFalse();
  }

  // ---------------------------------------------------------------- additive change

  @Test
  void anUnknownFieldIsAcceptedByTheSchemaAndIgnoredByReaders() {
    IssuerReply.Created created = new IssuerReply.Created(pendingView(), false);
    JsonObject json = json(Json.write(created));
    json.put("trace_parent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    json.getJsonObject("verification").put("locale", "en-US").put("channels_tried", new JsonArray().add("sms"));
    byte[] newer = json.toBuffer().getBytes();

    assertThat(validate("issuer-reply", json).getValid()).isTrue();
    assertThat(Json.read(newer, IssuerReply.class)).isEqualTo(created);
  }

  @Test
  void anUnknownFieldIsIgnoredOnEveryTopLevelEvent() {
    samples()
        .forEach(
            a -> {
              Object sample = a.get()[1];
              Class<?> type = (Class<?>) a.get()[2];
              JsonObject json = json(Json.write(sample)).put("added_in_a_later_release", 7);
              assertThat(validate((String) a.get()[0], json).getValid()).as("schema of %s", sample).isTrue();
              assertThat(Json.read(json.toBuffer().getBytes(), type)).isEqualTo(sample);
            });
  }

  @Test
  void anUnknownVariantIsAPoisonRecordNotAGuess() {
    byte[] unknown = new JsonObject().put("outcome", "teleported").toBuffer().getBytes();

    assertThatThrownBy(() -> Json.read(unknown, CheckReply.class)).isInstanceOf(MalformedEventException.class);
    assertThat(validate("check-reply", json(unknown)).getValid()).isFalse();
  }

  // ---------------------------------------------------------------- helpers

  private static OutputUnit validate(String schema, JsonObject json) {
    return repository.validator(BASE + schema + ".v1.json").validate(json);
  }

  private static JsonObject json(byte[] bytes) {
    return new JsonObject(Buffer.buffer(bytes));
  }

  private static JsonObject resource(String path) {
    try (InputStream in = EventContractTest.class.getClassLoader().getResourceAsStream(path)) {
      assertThat(in).as("classpath resource %s", path).isNotNull();
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
