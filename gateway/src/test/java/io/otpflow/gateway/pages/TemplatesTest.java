package io.otpflow.gateway.pages;

import static org.assertj.core.api.Assertions.assertThat;

import gg.jte.html.HtmlInterceptor;
import gg.jte.html.HtmlTemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.StringOutput;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every template, rendered with hostile values in every slot (see {@link HostileViews}), parsed as a
 * browser would: the values come out as text, never as markup. Each template is rendered three ways
 * per variant (benign, hostile, hostile and 100k characters long); the hostile renderings must have
 * exactly the elements and attributes of the benign one, no javascript: link, no event handler, no
 * inline script or style, and carry the hostile text whole (script tag, quotes, bidi override).
 */
class TemplatesTest {
  private static final Path SOURCES = Path.of("src/main/jte");
  private static final Path GENERATED = Path.of("target/classes/gg/jte/generated/precompiled");
  private static final int VARIANTS = 5;

  static Stream<Arguments> templates() throws IOException {
    List<Arguments> all = new ArrayList<>();
    for (Method render : renderMethods()) {
      IntStream.range(0, VARIANTS).forEach(v -> all.add(Arguments.of(render.getDeclaringClass().getSimpleName(), render, v)));
    }
    return all.stream();
  }

  @Test
  void everyTemplateIsRenderedHere() throws IOException {
    long sources;
    try (Stream<Path> files = Files.walk(SOURCES)) {
      sources = files.filter(f -> f.toString().endsWith(".jte")).count();
    }
    assertThat(renderMethods()).hasSize((int) sources).hasSizeGreaterThan(20);
  }

  @ParameterizedTest(name = "{0} variant {2}")
  @MethodSource("templates")
  void hostileValuesStayText(String name, Method render, int variant) throws Exception {
    Document benign = Jsoup.parse(render(render, HostileViews.Text.BENIGN, variant));
    for (HostileViews.Text text : List.of(HostileViews.Text.HOSTILE, HostileViews.Text.LONG)) {
      String html = render(render, text, variant);
      Document doc = Jsoup.parse(html);
      assertThat(skeleton(doc)).as("%s: the elements and attributes do not depend on the values", name)
          .isEqualTo(skeleton(benign));
      assertThat(html).doesNotContain("<script>alert").doesNotContain("<img src=x");
      for (Element e : doc.getAllElements()) {
        for (Attribute a : e.attributes()) {
          assertThat(a.getKey()).as("no event handler").doesNotStartWith("on");
          assertThat(a.getKey()).as("no inline style").isNotEqualTo("style");
          if (List.of("href", "src", "action", "formaction").contains(a.getKey())) {
            assertThat(a.getValue().strip().toLowerCase(Locale.ROOT)).as("%s of <%s>", a.getKey(), e.tagName())
                .doesNotStartWith("javascript:");
          }
        }
      }
      assertThat(doc.select("style")).isEmpty();
      assertThat(doc.select("script")).allSatisfy(s -> {
        assertThat(s.attr("src")).isEqualTo("/assets/otpflow.js");
        assertThat(s.data()).isEmpty();
      });
      // Where the benign rendering shows a value, the hostile one shows it too, whole and as text.
      if (values(benign).stream().anyMatch(v -> v.contains(HostileViews.BENIGN))) {
        assertThat(values(doc)).as("%s shows the hostile text whole, as text", name)
            .anySatisfy(v -> assertThat(v).contains(text.value.substring("javascript:alert(3)//".length())));
      }
    }
  }

  private static String render(Method render, HostileViews.Text text, int variant) throws Exception {
    Object[] params = new HostileViews(text, variant).arguments(render.getGenericParameterTypes());
    StringOutput out = new StringOutput();
    params[0] = new OwaspHtmlTemplateOutput(out);
    params[1] = null;
    render.invoke(null, params);
    return out.toString();
  }

  /** Each element's tag and attribute names, in document order. */
  private static List<String> skeleton(Document doc) {
    return doc.getAllElements().stream()
        .map(e -> e.tagName() + e.attributes().asList().stream().map(Attribute::getKey).toList()).toList();
  }

  /** Every text node and attribute value of the page. */
  private static List<String> values(Document doc) {
    List<String> values = new ArrayList<>();
    for (Element e : doc.getAllElements()) {
      e.textNodes().forEach(t -> values.add(t.getWholeText()));
      e.attributes().forEach(a -> values.add(a.getValue()));
    }
    return values;
  }

  /** The render method of every template jte generated: (output, interceptor, parameters…). */
  private static List<Method> renderMethods() throws IOException {
    List<Method> methods = new ArrayList<>();
    try (Stream<Path> files = Files.walk(GENERATED)) {
      for (Path f : files.filter(f -> f.toString().endsWith("Generated.class")).sorted().toList()) {
        String name = GENERATED.relativize(f).toString().replace('/', '.').replace(".class", "");
        try {
          Class<?> c = Class.forName("gg.jte.generated.precompiled." + name);
          for (Method m : c.getMethods()) {
            if (m.getName().equals("render") && Modifier.isStatic(m.getModifiers())
                && m.getParameterTypes()[0] == HtmlTemplateOutput.class
                && m.getParameterTypes()[1] == HtmlInterceptor.class) {
              methods.add(m);
            }
          }
        } catch (ClassNotFoundException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return methods;
  }
}
