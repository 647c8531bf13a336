package io.otpflow.testing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogCaptureTest {

    private static final org.slf4j.Logger log = LoggerFactory.getLogger("io.otpflow.testing.sample");

    @Test
    void capturesFormattedMessagesReachingTheRoot() {
        try (LogCapture capture = LogCapture.attachToRoot()) {
            log.info("Issued a code for {} in {} ms.", "tenant-a", 12);

            assertThat(capture.messages()).containsExactly("Issued a code for tenant-a in 12 ms.");
            assertThat(capture.contains("tenant-a")).isTrue();
        }
    }

    @Test
    void capturesExceptionMessagesAndTheirCauses() {
        try (LogCapture capture = LogCapture.attachToRoot()) {
            log.warn("Delivery failed.", new IllegalStateException("outer", new RuntimeException("code 123456")));

            assertThat(capture.contains("code 123456")).isTrue();
            assertThat(capture.messages().getFirst()).startsWith("Delivery failed.")
                    .contains("java.lang.IllegalStateException: outer");
        }
    }

    @Test
    void lowersTheLevelWhileAttachedAndRestoresIt() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.otpflow.testing.sample");
        Level before = logger.getLevel();

        try (LogCapture capture = LogCapture.attachTo("io.otpflow.testing", Level.TRACE)) {
            log.debug("A debug line with secret {}.", "654321");

            assertThat(capture.contains("654321")).isTrue();
        }
        assertThat(logger.getLevel()).isEqualTo(before);
        assertThat(LoggerFactory.getLogger("io.otpflow.testing.sample").isDebugEnabled()).isFalse();
    }

    @Test
    void stopsCapturingWhenClosedAndCanBeCleared() {
        LogCapture capture = LogCapture.attachToRoot();
        log.info("first");
        capture.clear();
        log.info("second");
        capture.close();
        log.info("third");

        assertThat(capture.messages()).containsExactly("second");
    }
}
