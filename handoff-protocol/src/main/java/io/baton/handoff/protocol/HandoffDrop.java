package io.baton.handoff.protocol;

/** Type 7 (THOP_NOTIFYDROP), agent to controller: the agent refused or gave up a handoff. */
public final class HandoffDrop extends HandoffMessage {

    private final long handoffId;
    private final int reasonCode;
    private final String detail;

    /**
     * @param reasonCode a {@link DropReason} code; other values are carried as they are
     * @param detail     human-readable detail, at most {@value HandoffWire#MAX_DETAIL_BYTES} UTF-8 bytes
     */
    public HandoffDrop(long handoffId, int reasonCode, String detail) {
        this.handoffId = handoffId;
        this.reasonCode = reasonCode;
        this.detail = Checks.string(detail, HandoffWire.MAX_DETAIL_BYTES, "detail");
    }

    /** Convenience: a drop with a known reason. */
    public HandoffDrop(long handoffId, DropReason reason, String detail) {
        this(handoffId, reason.code(), detail);
    }

    public long handoffId() {
        return handoffId;
    }

    public int reasonCode() {
        return reasonCode;
    }

    /** The reason as an enum, or {@code null} if the code is not a known one. */
    public DropReason reason() {
        return DropReason.fromCode(reasonCode);
    }

    public String detail() {
        return detail;
    }

    @Override
    public MessageType type() {
        return MessageType.HANDOFF_DROP;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HandoffDrop)) {
            return false;
        }
        HandoffDrop d = (HandoffDrop) o;
        return handoffId == d.handoffId && reasonCode == d.reasonCode && detail.equals(d.detail);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(handoffId) * 31 + reasonCode) * 31 + detail.hashCode();
    }

    @Override
    public String toString() {
        DropReason r = reason();
        return "HandoffDrop[handoffId=" + handoffId + ", reasonCode=" + reasonCode
                + (r != null ? " (" + r + ")" : "") + ", detail=" + detail + "]";
    }
}
