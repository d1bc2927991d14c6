package io.baton.handoff.protocol;

import java.util.Objects;

/** Type 12, agent to controller: one result of a check from {@link HealthChecks}. */
public final class HealthReport extends HandoffMessage {
    private final String checkId;
    private final boolean ok;
    private final int status;
    private final String detail;

    /**
     * @param status the HTTP status the server answered, 0 if it did not answer in time
     * @param detail why it failed (empty when it passed)
     */
    public HealthReport(String checkId, boolean ok, int status, String detail) {
        this.checkId = Checks.string(checkId, HandoffWire.MAX_CHECK_NAME_BYTES, "checkId");
        this.ok = ok;
        this.status = status;
        this.detail = Checks.string(detail, HandoffWire.MAX_DETAIL_BYTES, "detail");
    }

    public String checkId() { return checkId; }
    public boolean ok() { return ok; }
    public int status() { return status; }
    public String detail() { return detail; }

    @Override
    public MessageType type() {
        return MessageType.HEALTH_REPORT;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HealthReport)) {
            return false;
        }
        HealthReport r = (HealthReport) o;
        return checkId.equals(r.checkId) && ok == r.ok && status == r.status && detail.equals(r.detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(checkId, ok, status, detail);
    }

    @Override
    public String toString() {
        return "HealthReport[" + checkId + (ok ? " ok " : " failed ") + status + (detail.isEmpty() ? "" : ", " + detail) + "]";
    }
}
