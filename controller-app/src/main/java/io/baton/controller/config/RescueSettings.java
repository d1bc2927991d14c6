package io.baton.controller.config;

/**
 * How long, and how many bytes of, the requests of committed connections the controller keeps,
 * so that a request safe to repeat whose server dies before answering goes to another server
 * (nat mode). {@code windowMillis} 0 keeps none.
 */
public final class RescueSettings {
    private final int windowMillis;
    private final int maxBytes;

    public RescueSettings(int windowMillis, int maxBytes) {
        this.windowMillis = windowMillis;
        this.maxBytes = maxBytes;
    }

    public static RescueSettings defaults() {
        return new RescueSettings(10_000, 2 << 20);
    }

    public int windowMillis() { return windowMillis; }
    public int maxBytes() { return maxBytes; }
}
