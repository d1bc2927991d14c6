package io.baton.controller.config;

/** Limits of the handshake front end: every table and buffer has a bound. */
public final class FrontendSettings {
    private final int maxHalfOpen;
    private final int maxConnections;
    private final int headTimeoutMillis;
    private final int maxHeadBytes;
    private final int mss;
    private final int windowScale;
    private final int receiveWindow;

    public FrontendSettings(int maxHalfOpen, int maxConnections, int headTimeoutMillis, int maxHeadBytes,
                            int mss, int windowScale, int receiveWindow) {
        this.maxHalfOpen = maxHalfOpen;
        this.maxConnections = maxConnections;
        this.headTimeoutMillis = headTimeoutMillis;
        this.maxHeadBytes = maxHeadBytes;
        this.mss = mss;
        this.windowScale = windowScale;
        this.receiveWindow = receiveWindow;
    }

    public static FrontendSettings defaults() {
        return new FrontendSettings(4096, 1_000_000, 10_000, 16_384, 1460, 7, 65_535);
    }

    /** Connections in handshake or collecting their head; beyond it, SYN cookies. */
    public int maxHalfOpen() { return maxHalfOpen; }
    public int maxConnections() { return maxConnections; }
    /** Time a client has from its SYN to a complete request head (slowloris bound). */
    public int headTimeoutMillis() { return headTimeoutMillis; }
    public int maxHeadBytes() { return maxHeadBytes; }
    /** The MSS Baton announces (the client's smaller one wins). */
    public int mss() { return mss; }
    public int windowScale() { return windowScale; }
    /** The receive window Baton advertises, in bytes. */
    public int receiveWindow() { return receiveWindow; }
}
