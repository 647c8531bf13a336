package io.otpflow.testing;

import java.util.List;
import java.util.Optional;

/**
 * One record as read back by {@link KafkaTopicReader}, with key, value and headers decoded as UTF-8
 * text (null stays null) so tests can search them for things that must not be there.
 *
 * @param headers all headers in order, including repeated keys
 */
public record TopicRecord(String topic, int partition, long offset, String key, String value, List<Header> headers) {

    /** A record header; its value is null when the header has no value. */
    public record Header(String key, String value) {
    }

    public TopicRecord {
        headers = List.copyOf(headers);
    }

    /** The value of the last header with this key, if any. */
    public Optional<String> header(String key) {
        String found = null;
        for (Header header : headers) {
            if (header.key().equals(key)) {
                found = header.value();
            }
        }
        return Optional.ofNullable(found);
    }

    /** Whether {@code text} occurs in the key, the value, or any header key or value. */
    public boolean contains(String text) {
        if (containsIn(key, text) || containsIn(value, text)) {
            return true;
        }
        return headers.stream().anyMatch(header -> containsIn(header.key(), text) || containsIn(header.value(), text));
    }

    private static boolean containsIn(String field, String text) {
        return field != null && field.contains(text);
    }
}
