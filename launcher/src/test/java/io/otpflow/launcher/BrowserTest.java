package io.otpflow.launcher;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that drives pages in Chromium. Without Chromium or chromedriver the whole class is
 * skipped before its {@code @BeforeAll} runs (so no platform is started for nothing and no test can
 * reach a half-initialised fixture), and the skip says what is missing and how to install it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(OptionalTools.TAG)
@ExtendWith(BrowserTest.WhenInstalled.class)
@interface BrowserTest {

  /** Enables the class only when {@link Browser} finds both programs. */
  final class WhenInstalled implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String problem = Browser.missing();
      return problem == null
          ? ConditionEvaluationResult.enabled("Chromium and chromedriver are installed")
          : ConditionEvaluationResult.disabled(problem);
    }
  }
}
