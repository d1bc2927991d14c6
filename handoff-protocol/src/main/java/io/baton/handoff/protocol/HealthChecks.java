package io.baton.handoff.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Type 11, controller to agent: the HTTP checks the agent runs against its own web server and
 * reports with {@link HealthReport}. Each message replaces the previous set (empty: none).
 */
public final class HealthChecks extends HandoffMessage {
    /** One check: GET {@code path} every {@code intervalMillis}; a status in class {@code expectStatusClass}xx passes. */
    public static final class Check {
        private final String id;
        private final String path;
        private final String host;
        private final int expectStatusClass;
        private final int intervalMillis;
        private final int timeoutMillis;

        /**
         * @param id   the controller's name for the check ("service/pool")
         * @param host Host header; empty for the server's own address
         */
        public Check(String id, String path, String host, int expectStatusClass, int intervalMillis, int timeoutMillis) {
            this.id = Checks.string(id, HandoffWire.MAX_CHECK_NAME_BYTES, "id");
            this.path = Checks.string(path, HandoffWire.MAX_CHECK_PATH_BYTES, "path");
            if (!this.path.startsWith("/") || this.path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
                throw new IllegalArgumentException("path must start with '/' and hold no spaces or control characters");
            }
            this.host = Checks.string(host, HandoffWire.MAX_CHECK_NAME_BYTES, "host");
            if (this.host.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
                throw new IllegalArgumentException("host must hold no spaces or control characters");
            }
            if (expectStatusClass < 1 || expectStatusClass > 5) {
                throw new IllegalArgumentException("expectStatusClass must be 1..5, not " + expectStatusClass);
            }
            if (intervalMillis < 10 || timeoutMillis < 1 || timeoutMillis > intervalMillis) {
                throw new IllegalArgumentException("need intervalMillis >= 10 and 1 <= timeoutMillis <= intervalMillis");
            }
            this.expectStatusClass = expectStatusClass;
            this.intervalMillis = intervalMillis;
            this.timeoutMillis = timeoutMillis;
        }

        public String id() { return id; }
        public String path() { return path; }
        public String host() { return host; }
        public int expectStatusClass() { return expectStatusClass; }
        public int intervalMillis() { return intervalMillis; }
        public int timeoutMillis() { return timeoutMillis; }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Check)) {
                return false;
            }
            Check c = (Check) o;
            return id.equals(c.id) && path.equals(c.path) && host.equals(c.host) && expectStatusClass == c.expectStatusClass
                    && intervalMillis == c.intervalMillis && timeoutMillis == c.timeoutMillis;
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, path, host, expectStatusClass, intervalMillis, timeoutMillis);
        }

        @Override
        public String toString() {
            return id + ":GET " + path + " expect " + expectStatusClass + "xx every " + intervalMillis + " ms";
        }
    }

    private final List<Check> checks;

    public HealthChecks(List<Check> checks) {
        if (checks.size() > HandoffWire.MAX_HEALTH_CHECKS) {
            throw new IllegalArgumentException(checks.size() + " checks, more than " + HandoffWire.MAX_HEALTH_CHECKS);
        }
        this.checks = List.copyOf(checks);
    }

    public List<Check> checks() {
        return checks;
    }

    @Override
    public MessageType type() {
        return MessageType.HEALTH_CHECKS;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HealthChecks && checks.equals(((HealthChecks) o).checks);
    }

    @Override
    public int hashCode() {
        return checks.hashCode();
    }

    @Override
    public String toString() {
        return "HealthChecks" + checks;
    }
}
