package dev.rolloutledger.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.rolloutledger.domain.Checks;
import java.io.IOException;
import java.util.List;

/**
 * The one reader of request bodies: strict JSON, so that nothing a caller sends is silently dropped
 * or reinterpreted. Refused with 400 naming the field: data after the JSON value, a property the
 * body does not have (a misspelt policy field would otherwise reset it to its default), a duplicate
 * property, a number or boolean where a string is expected and a string where a number or boolean
 * is expected, a string longer than {@link #MAX_TEXT} characters, an object key longer than {@link
 * Ids#MAX_LENGTH} (keys are label names, metric names, limits: id-like).
 *
 * <p>Why not Micronaut serde's own binding: its decoder turns {@code 5} and {@code true} into the
 * string "5" and "true" with no option to refuse, and ignores trailing data.
 */
final class StrictJson {
  /**
   * No string longer than the longest any field takes ({@link Checks#MAX_TEXT_LENGTH}); each
   * field's own rule (docs/api.md, "What every door accepts") is applied after binding, by {@code
   * InputChecks}.
   */
  static final int MAX_TEXT = Checks.MAX_TEXT_LENGTH;

  private static final ObjectMapper JSON = mapper();

  private StrictJson() {}

  static <T> T read(String body, Class<T> type) {
    try {
      return notNull(JSON.readValue(present(body), type), "a JSON object");
    } catch (JsonProcessingException e) {
      throw refused(e);
    }
  }

  static <T> List<T> readList(String body, TypeReference<List<T>> type) {
    try {
      return notNull(JSON.readValue(present(body), type), "a JSON array");
    } catch (JsonProcessingException e) {
      throw refused(e);
    }
  }

  /**
   * A part of a body read untyped (e.g. a rollout's {@code plan}: a name or an object), bound to
   * {@code type} under the same rules; a field is named under {@code at} ({@code plan.waves[0]}).
   */
  static <T> T bind(Object value, Class<T> type, String at) {
    try {
      return JSON.treeToValue(JSON.valueToTree(value), type);
    } catch (JsonProcessingException e) {
      throw refused(e, at);
    }
  }

  private static <T> T notNull(T value, String what) {
    if (value == null) {
      throw ApiProblemException.badField(null, "the body must be " + what + ", not null");
    }
    return value;
  }

  private static String present(String body) {
    if (body == null || body.isBlank()) {
      throw ApiProblemException.badField(null, "a JSON body is required");
    }
    return body;
  }

  private static ObjectMapper mapper() {
    SimpleModule caps = new SimpleModule("caps");
    caps.addDeserializer(String.class, new CappedString());
    caps.addKeyDeserializer(String.class, new CappedKey());
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .addModule(caps)
            .build();
    // no coercion between scalar kinds; an integer into a decimal field stays allowed (1 is 1.0)
    for (CoercionInputShape shape :
        List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
      mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
    }
    for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
      mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
      mapper
          .coercionConfigFor(type)
          .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    return mapper;
  }

  /** A 400 naming the field, as {@code plan.waves[0].bake} or {@code [3].metrics}. */
  private static ApiProblemException refused(JsonProcessingException e) {
    return refused(e, null);
  }

  /** {@link #refused(JsonProcessingException)} for a part of a body bound under {@code at}. */
  private static ApiProblemException refused(JsonProcessingException e, String at) {
    String field = null;
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      field = path(m.getPath());
    } else if (e instanceof StreamReadException r && r.getProcessor() != null) {
      field = path(r.getProcessor().getParsingContext()); // e.g. the name of a duplicate field
    }
    if (at != null) {
      field = field == null ? at : field.startsWith("[") ? at + field : at + "." + field;
    }
    String detail;
    if (e instanceof UnrecognizedPropertyException u) {
      detail = "unknown field " + (field == null ? u.getPropertyName() : field);
    } else if (e instanceof JsonMappingException && field != null) {
      detail = field + ": " + e.getOriginalMessage();
    } else {
      detail = "not valid JSON: " + e.getOriginalMessage();
    }
    return ApiProblemException.badField(field, detail);
  }

  /** Where the parser stopped, as {@code [0].labels.env}; null at the top level. */
  private static String path(JsonStreamContext context) {
    List<JsonMappingException.Reference> refs = new java.util.ArrayList<>();
    for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
      if (c.inObject() && c.getCurrentName() != null) {
        refs.add(0, new JsonMappingException.Reference(null, c.getCurrentName()));
      } else if (c.inArray() && c.getCurrentIndex() >= 0) {
        refs.add(0, new JsonMappingException.Reference(null, c.getCurrentIndex()));
      }
    }
    return path(refs);
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? null : b.toString();
  }

  /** A string, never a number or boolean made into one, of at most {@link #MAX_TEXT} characters. */
  private static final class CappedString extends StdScalarDeserializer<String> {
    CappedString() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.hasToken(JsonToken.VALUE_STRING)) {
        return (String) ctxt.handleUnexpectedToken(String.class, p);
      }
      String value = p.getText();
      if (value.length() > MAX_TEXT) {
        return (String) ctxt.reportInputMismatch(this, "longer than %d characters", MAX_TEXT);
      }
      return value;
    }
  }

  /** Object keys are names (labels, metrics, limits): id-sized. */
  private static final class CappedKey extends KeyDeserializer {
    @Override
    public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
      if (key.length() > Ids.MAX_LENGTH) {
        return ctxt.handleWeirdKey(
            String.class, key, "key longer than %d characters", Ids.MAX_LENGTH);
      }
      return key;
    }
  }
}
