package io.otpflow.gateway.pages.view;

/** A notice box above a form or a page's content: what happened, or what went wrong. */
public record Notice(Kind kind, String text) {
  public enum Kind { OK, ERROR, WARN, INFO }

  public static Notice ok(String text) {
    return text == null ? null : new Notice(Kind.OK, text);
  }

  public static Notice error(String text) {
    return text == null ? null : new Notice(Kind.ERROR, text);
  }

  public static Notice warn(String text) {
    return text == null ? null : new Notice(Kind.WARN, text);
  }

  public static Notice info(String text) {
    return text == null ? null : new Notice(Kind.INFO, text);
  }

  /** The notice's class beside "notice": ok, error, warn or info. */
  public String css() {
    return kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
