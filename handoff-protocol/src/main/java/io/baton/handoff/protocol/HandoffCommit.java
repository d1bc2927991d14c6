package io.baton.handoff.protocol;

/** Type 8, controller to agent: the switch rules are installed and confirmed by a barrier; start relaying to the web server. */
public final class HandoffCommit extends HandoffMessage {

    private final long handoffId;

    public HandoffCommit(long handoffId) {
        this.handoffId = handoffId;
    }

    public long handoffId() {
        return handoffId;
    }

    @Override
    public MessageType type() {
        return MessageType.HANDOFF_COMMIT;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandoffCommit && handoffId == ((HandoffCommit) o).handoffId;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(handoffId) * 31 + 13;
    }

    @Override
    public String toString() {
        return "HandoffCommit[handoffId=" + handoffId + "]";
    }
}
