package io.otpflow.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * A logback appender that keeps every message logged while it is attached, for tests that assert on
 * what was logged; above all that a one-time code or other secret never reaches a log.
 *
 * <p>Each kept message is the formatted message, followed by the class and message of each attached
 * throwable and its causes, since a secret can leak through an exception message too.
 *
 * <p>It only sees what the logback configuration lets through: with the root at INFO, a secret
 * logged at DEBUG goes unnoticed. Tests about secrets should therefore use
 * {@link #attachTo(String, Level)} with a low level on the packages under test, e.g.
 * {@code attachTo("io.otpflow", Level.TRACE)}. Close it to detach it and restore the level.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final ConcurrentLinkedQueue<String> messages = new ConcurrentLinkedQueue<>();
    private Logger logger;
    private Level previousLevel;

    /** Captures everything that reaches the root logger, at the levels configured. */
    public static LogCapture attachToRoot() {
        return attach(org.slf4j.Logger.ROOT_LOGGER_NAME, null);
    }

    /**
     * Captures everything logged under {@code loggerName} (a package or class name) at {@code level}
     * or above, lowering that logger's level to {@code level} until {@link #close()}.
     */
    public static LogCapture attachTo(String loggerName, Level level) {
        return attach(loggerName, level);
    }

    private static LogCapture attach(String loggerName, Level level) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            throw new IllegalStateException("LogCapture needs logback as the SLF4J provider, but found "
                    + factory.getClass().getName() + "; check the test class path for another SLF4J binding.");
        }
        LogCapture capture = new LogCapture();
        capture.setContext(context);
        capture.setName("otpflow-log-capture");
        capture.start();
        capture.logger = context.getLogger(loggerName);
        capture.previousLevel = capture.logger.getLevel();
        if (level != null) {
            capture.logger.setLevel(level);
        }
        capture.logger.addAppender(capture);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        StringBuilder text = new StringBuilder(String.valueOf(event.getFormattedMessage()));
        for (IThrowableProxy throwable = event.getThrowableProxy(); throwable != null; throwable = throwable.getCause()) {
            text.append(System.lineSeparator()).append(throwable.getClassName()).append(": ").append(throwable.getMessage());
        }
        messages.add(text.toString());
    }

    /** The messages captured so far, oldest first. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** Whether any captured message contains {@code text}. */
    public boolean contains(String text) {
        return messages.stream().anyMatch(message -> message.contains(text));
    }

    /** Forgets the messages captured so far. */
    public void clear() {
        messages.clear();
    }

    /** Detaches from the logger, restores its level and stops capturing. */
    @Override
    public void close() {
        logger.detachAppender(this);
        logger.setLevel(previousLevel);
        stop();
    }
}
