package dev.rolloutledger.server.notify;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rolloutledger.domain.Checks;
import dev.rolloutledger.domain.InvalidFieldException;
import dev.rolloutledger.server.api.ApiProblemException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads {@code PUT /api/v1/tenants/{t}/notifications} strictly, as every body of the API is read
 * (no unknown, duplicate or mistyped field, nothing after the JSON), and refuses bad input with a
 * 400 naming the field: {@code webhooks[1].url}.
 */
final class NotificationRequests {
  /** Webhooks a tenant may have. */
  static final int MAX_WEBHOOKS = 16;

  static final int MAX_URL_LENGTH = 2048;

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final Set<String> BODY_FIELDS = Set.of("webhooks");
  private static final Set<String> WEBHOOK_FIELDS = Set.of("name", "url", "format", "events");

  private NotificationRequests() {}

  /** A webhook as asked for, before it is given its {@code since}. */
  record Asked(String name, URI url, WebhookFormat format, Set<NotificationEvent> events) {}

  /** {@code allowed}: which hosts a URL may name. */
  static List<Asked> read(String body, WebhookTargets allowed) {
    if (body == null || body.isBlank()) {
      throw ApiProblemException.badField(null, "a JSON body is required: {\"webhooks\": [...]}");
    }
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      String at =
          e instanceof com.fasterxml.jackson.core.exc.StreamReadException r
                  && r.getProcessor() != null
              ? path(r.getProcessor().getParsingContext())
              : null;
      throw ApiProblemException.badField(at, "not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiProblemException.badField(
          null, "the body must be a JSON object {\"webhooks\": [...]}");
    }
    onlyKnown(root, BODY_FIELDS, "");
    JsonNode list = root.get("webhooks");
    if (list == null || !list.isArray()) {
      throw ApiProblemException.badField(
          "webhooks", "webhooks is required: a list (empty to send nothing)");
    }
    if (list.size() > MAX_WEBHOOKS) {
      throw ApiProblemException.badField(
          "webhooks", "at most " + MAX_WEBHOOKS + " webhooks, not " + list.size());
    }
    List<Asked> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> targets = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "webhooks[" + i + "]";
      JsonNode w = list.get(i);
      if (!w.isObject()) {
        throw ApiProblemException.badField(at, at + " must be an object");
      }
      onlyKnown(w, WEBHOOK_FIELDS, at + ".");
      String name = name(text(w, at + ".name"), at + ".name");
      if (!names.add(name)) {
        throw ApiProblemException.badField(at + ".name", "two webhooks are named " + name);
      }
      URI url = url(text(w, at + ".url"), at + ".url");
      String refused = allowed.refusal(url).orElse(null);
      if (refused != null) {
        throw ApiProblemException.badField(at + ".url", at + ".url: " + refused);
      }
      WebhookFormat format =
          WebhookFormat.parse(text(w, at + ".format"))
              .orElseThrow(
                  () ->
                      ApiProblemException.badField(at + ".format", "format must be slack or json"));
      if (!targets.add(format + " " + url)) {
        throw ApiProblemException.badField(
            at + ".url", "another webhook already sends the same format to this url");
      }
      out.add(new Asked(name, url, format, events(w.get("events"), at + ".events")));
    }
    return out;
  }

  /** Where the parser stopped, as {@code webhooks[0].url}; null at the top level. */
  private static String path(com.fasterxml.jackson.core.JsonStreamContext context) {
    StringBuilder b = new StringBuilder();
    for (var c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) {
        b.insert(0, (b.length() == 0 || b.charAt(0) == '[' ? "" : "."))
            .insert(0, c.getCurrentName());
      } else if (c.inArray() && c.getCurrentIndex() >= 0) {
        b.insert(
            0,
            "[" + c.getCurrentIndex() + "]" + (b.length() == 0 || b.charAt(0) == '[' ? "" : "."));
      }
    }
    return b.length() == 0 ? null : b.toString();
  }

  private static void onlyKnown(JsonNode object, Set<String> known, String prefix) {
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw ApiProblemException.badField(prefix + f, "unknown field " + prefix + f);
      }
    }
  }

  private static String text(JsonNode object, String field) {
    JsonNode v = object.get(field.substring(field.lastIndexOf('.') + 1));
    if (v == null || v.isNull()) {
      throw ApiProblemException.badField(field, field + " is required");
    }
    if (!v.isTextual()) {
      throw ApiProblemException.badField(field, field + " must be a string");
    }
    return v.textValue();
  }

  private static String name(String value, String field) {
    try {
      return Checks.doorId(field, value);
    } catch (InvalidFieldException e) {
      throw ApiProblemException.badField(field, field + " " + e.problem());
    }
  }

  /**
   * http or https, with a host, no user:password (put a secret in the path, as Slack does), no
   * fragment. Which hosts it may name: {@link WebhookTargets}.
   */
  static URI url(String value, String field) {
    if (value.length() > MAX_URL_LENGTH) {
      throw ApiProblemException.badField(
          field, field + " must be at most " + MAX_URL_LENGTH + " characters");
    }
    URI url;
    try {
      url = new URI(value);
    } catch (URISyntaxException e) {
      throw ApiProblemException.badField(field, field + " is not a URL: " + e.getReason());
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw ApiProblemException.badField(field, field + " must be an http:// or https:// URL");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw ApiProblemException.badField(field, field + " must name a host");
    }
    if (url.getRawUserInfo() != null) {
      throw ApiProblemException.badField(
          field, field + " must not carry user:password; a secret goes in the path");
    }
    if (url.getRawFragment() != null) {
      throw ApiProblemException.badField(field, field + " must not have a #fragment");
    }
    return url;
  }

  private static Set<NotificationEvent> events(JsonNode v, String field) {
    if (v == null || v.isNull()) {
      throw ApiProblemException.badField(
          field, field + " is required: some of halted, promoted, completed, paused");
    }
    if (!v.isArray() || v.isEmpty()) {
      throw ApiProblemException.badField(
          field, field + " must be a non-empty list of halted, promoted, completed, paused");
    }
    Set<NotificationEvent> out = EnumSet.noneOf(NotificationEvent.class);
    for (int i = 0; i < v.size(); i++) {
      String at = field + "[" + i + "]";
      JsonNode e = v.get(i);
      NotificationEvent event =
          (e.isTextual()
                  ? NotificationEvent.parse(e.textValue())
                  : java.util.Optional.<NotificationEvent>empty())
              .orElseThrow(
                  () ->
                      ApiProblemException.badField(
                          at, at + " must be one of halted, promoted, completed, paused"));
      if (!out.add(event)) {
        throw ApiProblemException.badField(at, at + ": " + event.wire() + " is listed twice");
      }
    }
    return out;
  }

  /** Names each webhook's {@code since}: kept from a webhook of the same name, else now. */
  static List<Webhook> configure(List<Asked> asked, List<Webhook> before, Instant now) {
    List<Webhook> out = new ArrayList<>();
    for (Asked a : asked) {
      Instant since =
          before.stream()
              .filter(w -> w.name().equals(a.name()))
              .map(Webhook::since)
              .findFirst()
              .orElse(now);
      out.add(new Webhook(a.name(), a.url(), a.format(), a.events(), since));
    }
    return out;
  }
}
