package io.baton.handoff.protocol;

/** Type 6, agent to controller: the socket is recreated and left repair mode without a window probe; it stays silent until {@link HandoffCommit}. */
public final class HandoffReady extends HandoffMessage {

    private final long handoffId;

    public HandoffReady(long handoffId) {
        this.handoffId = handoffId;
    }

    public long handoffId() {
        return handoffId;
    }

    @Override
    public MessageType type() {
        return MessageType.HANDOFF_READY;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandoffReady && handoffId == ((HandoffReady) o).handoffId;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(handoffId) * 31 + 12;
    }

    @Override
    public String toString() {
        return "HandoffReady[handoffId=" + handoffId + "]";
    }
}
