package io.otpflow.gateway.pages;

import gg.jte.html.HtmlTemplateOutput;
import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.StringOutput;
import io.otpflow.gateway.pages.view.Layout;

/**
 * A template bound to its view, ready to render inside the layout. Handlers call the class jte
 * generated from the template directly ({@code (out, layout) -> JtesignInGenerated.render(out, null,
 * layout, view)}) rather than naming it in a string: a template whose parameters change no longer
 * compiles with a caller that passes the old ones, and nothing is looked up by reflection at runtime.
 * The generated code escapes every value for the place it is written (text, attribute, URL).
 */
@FunctionalInterface
public interface PageTemplate {
  void render(HtmlTemplateOutput out, Layout layout);

  /** A part of a page rendered on its own (the operator page's live numbers, sent in its JSON). */
  static String fragment(java.util.function.Consumer<HtmlTemplateOutput> part) {
    StringOutput out = new StringOutput(4096);
    part.accept(new OwaspHtmlTemplateOutput(out));
    return out.toString();
  }

  /** The HTML of this template inside {@code layout}. */
  default String html(Layout layout) {
    StringOutput out = new StringOutput(8192);
    render(new OwaspHtmlTemplateOutput(out), layout);
    return out.toString();
  }
}
