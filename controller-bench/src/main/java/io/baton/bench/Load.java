package io.baton.bench;

/**
 * What one emulated switch is asked to do: keep up to {@code window} connections in flight,
 * either refilling as they finish (closed loop, {@code ratePerSecond == 0}) or starting them at
 * a fixed rate; start at most {@code limit} in all. With {@code close}, each server's agent
 * reports the connection closed right after the commit (a short request), so the controller
 * frees it; without, connections stay tracked (for the memory measurement).
 */
record Load(int window, double ratePerSecond, long limit, boolean close) {
    static final Load IDLE = new Load(0, 0, 0, true);

    static Load closedLoop(int window, boolean close) {
        return new Load(window, 0, Long.MAX_VALUE, close);
    }

    static Load paced(double ratePerSecond, int maxInFlight, boolean close) {
        return new Load(maxInFlight, ratePerSecond, Long.MAX_VALUE, close);
    }

    static Load count(long n, int window, boolean close) {
        return new Load(window, 0, n, close);
    }

    boolean paced() {
        return ratePerSecond > 0;
    }
}
