package io.baton.dispatcher.request;

/**
 * Bounds on what {@link HttpHeadDecoder} buffers, so a client cannot make the controller hold
 * unbounded state for a connection it has not yet handed off. Immutable.
 */
public final class HttpLimits {
    public static final int DEFAULT_MAX_HEAD_BYTES = 16384;
    public static final int DEFAULT_MAX_HEADERS = 100;
    public static final int DEFAULT_MAX_TARGET_BYTES = 8192;

    private static final HttpLimits DEFAULTS = builder().build();

    private final int maxHeadBytes;
    private final int maxHeaders;
    private final int maxTargetBytes;

    private HttpLimits(Builder b) {
        maxHeadBytes = b.maxHeadBytes;
        maxHeaders = b.maxHeaders;
        maxTargetBytes = b.maxTargetBytes;
    }

    public static HttpLimits defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Most bytes of the stream (leading empty lines included) up to and including CRLFCRLF. */
    public int maxHeadBytes() { return maxHeadBytes; }

    /** Most header field lines. */
    public int maxHeaders() { return maxHeaders; }

    /** Most bytes in the request-target. */
    public int maxTargetBytes() { return maxTargetBytes; }

    @Override
    public String toString() {
        return "HttpLimits{maxHeadBytes=" + maxHeadBytes + ", maxHeaders=" + maxHeaders
                + ", maxTargetBytes=" + maxTargetBytes + "}";
    }

    public static final class Builder {
        private int maxHeadBytes = DEFAULT_MAX_HEAD_BYTES;
        private int maxHeaders = DEFAULT_MAX_HEADERS;
        private int maxTargetBytes = DEFAULT_MAX_TARGET_BYTES;

        private Builder() {
        }

        public Builder maxHeadBytes(int v) {
            maxHeadBytes = positive("maxHeadBytes", v);
            return this;
        }

        public Builder maxHeaders(int v) {
            if (v < 0) {
                throw new IllegalArgumentException("maxHeaders must be >= 0, was " + v);
            }
            maxHeaders = v;
            return this;
        }

        public Builder maxTargetBytes(int v) {
            maxTargetBytes = positive("maxTargetBytes", v);
            return this;
        }

        public HttpLimits build() {
            return new HttpLimits(this);
        }

        private static int positive(String name, int v) {
            if (v <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, was " + v);
            }
            return v;
        }
    }
}
