package io.baton.controller.config;

import java.util.Objects;

/**
 * An active HTTP check that each member's agent runs against its own web server, as the
 * application-space cluster seed does. A member leaves the pool after {@code fall} failed checks
 * in a row and returns after {@code rise} good ones (HAProxy's hysteresis).
 */
public final class HealthCheckConfig {
    private final String path;
    private final String host;
    private final int expectStatusClass;
    private final int intervalMillis;
    private final int timeoutMillis;
    private final int rise;
    private final int fall;

    public HealthCheckConfig(String path, String host, int expectStatusClass, int intervalMillis, int timeoutMillis,
                             int rise, int fall) {
        this.path = Objects.requireNonNull(path, "path");
        this.host = host;
        this.expectStatusClass = expectStatusClass;
        this.intervalMillis = intervalMillis;
        this.timeoutMillis = timeoutMillis;
        this.rise = rise;
        this.fall = fall;
    }

    public String path() { return path; }
    /** The Host header to send; null for the server's own address. */
    public String host() { return host; }
    /** 2 for "2xx", 3 for "3xx". */
    public int expectStatusClass() { return expectStatusClass; }
    public int intervalMillis() { return intervalMillis; }
    public int timeoutMillis() { return timeoutMillis; }
    public int rise() { return rise; }
    public int fall() { return fall; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HealthCheckConfig)) {
            return false;
        }
        HealthCheckConfig h = (HealthCheckConfig) o;
        return path.equals(h.path) && Objects.equals(host, h.host) && expectStatusClass == h.expectStatusClass
                && intervalMillis == h.intervalMillis && timeoutMillis == h.timeoutMillis && rise == h.rise && fall == h.fall;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, host, expectStatusClass, intervalMillis, timeoutMillis, rise, fall);
    }
}
