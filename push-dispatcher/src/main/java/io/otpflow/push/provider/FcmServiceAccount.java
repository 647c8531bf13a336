package io.otpflow.push.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.otpflow.common.Json;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * A Google service account's key file (the JSON Firebase's console hands out): who signs the OAuth2
 * assertion ({@code client_email}), with which key ({@code private_key_id}, {@code private_key} as
 * PKCS#8 PEM), for which project, and where tokens come from ({@code token_uri}).
 */
public record FcmServiceAccount(String projectId, String clientEmail, String privateKeyId, PrivateKey privateKey,
    URI tokenUri) {

  /** Parses the key file's text; every failure names the field, never echoes the key. */
  public static FcmServiceAccount parse(String json) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("The FCM credentials are not JSON.");
    }
    if (node == null || !node.isObject() || !"service_account".equals(node.path("type").asText())) {
      throw new IllegalArgumentException("The FCM credentials are not a service account key (\"type\": \"service_account\").");
    }
    String token = node.path("token_uri").asText("");
    return new FcmServiceAccount(
        text(node, "project_id"), text(node, "client_email"), text(node, "private_key_id"),
        privateKey(text(node, "private_key")),
        URI.create(token.isBlank() ? "https://oauth2.googleapis.com/token" : token));
  }

  private static String text(JsonNode node, String field) {
    String value = node.path(field).asText("");
    if (value.isBlank()) {
      throw new IllegalArgumentException("The FCM credentials have no " + field + ".");
    }
    return value;
  }

  private static PrivateKey privateKey(String pem) {
    String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
        .replaceAll("\\s", "");
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("The FCM credentials' private_key is not a PKCS#8 RSA key in PEM form.");
    }
  }

  @Override
  public String toString() {
    return "FcmServiceAccount[project=" + projectId + ", clientEmail=" + clientEmail + ", keyId=" + privateKeyId
        + ", key=<hidden>, tokenUri=" + tokenUri + "]";
  }
}
