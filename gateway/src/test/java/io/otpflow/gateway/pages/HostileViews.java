package io.otpflow.gateway.pages;

import gg.jte.Content;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;

/**
 * Fills a template's parameters, and every view record inside them, with the same value in every
 * text slot: benign ("x"), hostile (a javascript: URL, a script tag, quotes that try to leave an
 * attribute, an event handler, a bidi override), or hostile and very long. Lists get two elements,
 * numbers 2; a variant number picks the booleans (even: true) and the enum constants, so that the
 * variants between them take each branch of the templates.
 */
final class HostileViews {
  static final String BENIGN = "benign-value";
  static final String SCRIPT = "<script>alert(1)</script>";
  static final String HOSTILE = "javascript:alert(3)//" + SCRIPT + "\"'><img src=x onerror=alert(2)>\u202Egnp.exe";

  enum Text {
    BENIGN(HostileViews.BENIGN), HOSTILE(HostileViews.HOSTILE), LONG(HostileViews.HOSTILE + "y".repeat(100_000));

    final String value;

    Text(String value) {
      this.value = value;
    }
  }

  private final Text text;
  private final int variant;

  HostileViews(Text text, int variant) {
    this.text = text;
    this.variant = variant;
  }

  /** A render method's arguments after its first two (the output and the interceptor, left null here). */
  Object[] arguments(Type[] types) {
    Object[] values = new Object[types.length];
    for (int i = 2; i < types.length; i++) {
      values[i] = value(types[i]);
    }
    return values;
  }

  Object value(Type type) {
    if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
      Type element = p.getActualTypeArguments()[0];
      return List.of(value(element), value(element));
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      return text.value;
    }
    if (c == boolean.class || c == Boolean.class) {
      return variant % 2 == 0;
    }
    if (c == int.class || c == Integer.class) {
      return 2;
    }
    if (c == long.class || c == Long.class) {
      return 2L;
    }
    if (c == byte[].class) {
      return text.value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    if (c == Content.class) {
      return (Content) out -> out.writeUserContent(text.value);
    }
    if (c.isEnum()) {
      Object[] constants = c.getEnumConstants();
      return constants[variant % constants.length];
    }
    if (c.isRecord()) {
      return record(c);
    }
    throw new IllegalArgumentException("No hostile value for " + type + ": teach HostileViews this type.");
  }

  private Object record(Class<?> c) {
    RecordComponent[] parts = c.getRecordComponents();
    Class<?>[] types = Arrays.stream(parts).map(RecordComponent::getType).toArray(Class<?>[]::new);
    Object[] values = Arrays.stream(parts).map(r -> value(r.getGenericType())).toArray();
    try {
      Constructor<?> make = c.getDeclaredConstructor(types);
      return make.newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Cannot build " + c.getName(), e);
    }
  }
}
