package io.baton.handoff.protocol;

/** Type 9, controller to agent: forget the handoff; the agent puts the socket back in repair mode and closes it, so no RST or FIN leaves. */
public final class HandoffAbort extends HandoffMessage {

    private final long handoffId;

    public HandoffAbort(long handoffId) {
        this.handoffId = handoffId;
    }

    public long handoffId() {
        return handoffId;
    }

    @Override
    public MessageType type() {
        return MessageType.HANDOFF_ABORT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandoffAbort && handoffId == ((HandoffAbort) o).handoffId;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(handoffId) * 31 + 12;
    }

    @Override
    public String toString() {
        return "HandoffAbort[handoffId=" + handoffId + "]";
    }
}
