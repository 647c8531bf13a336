package io.otpflow.gateway.web;

/**
 * HTML for the hosted pages, written as strings: every value that did not come from this code goes
 * through {@link #esc}, which escapes for both element content and quoted attributes. Pages load one
 * stylesheet and one script from /assets, nothing inline, so the Content-Security-Policy can forbid
 * inline script and style altogether.
 */
public final class Html {
  private Html() {}

  /** Escapes text for element content and double- or single-quoted attribute values. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A whole page: the layout around {@code main}, which is HTML already escaped by its author. */
  public static String page(String title, String brand, String brandHref, String nav, String main) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        + "<title>" + esc(title) + " · " + esc(brand) + "</title>"
        + "<link rel=\"stylesheet\" href=\"/assets/otpflow.css\">"
        + "<script src=\"/assets/otpflow.js\" defer></script></head><body>"
        + "<header class=\"top\"><a class=\"brand\" href=\"" + esc(brandHref) + "\">" + esc(brand) + "</a>"
        + "<nav>" + nav + "</nav></header>"
        + "<main>" + main + "</main>"
        + "<footer>Protected by otpflow</footer></body></html>";
  }

  /** A notice box: kind is ok, error, warn or info; the text is escaped. */
  public static String notice(String kind, String text) {
    return text == null ? "" : "<p class=\"notice " + esc(kind) + "\" role=\"status\">" + esc(text) + "</p>";
  }
}
