package io.baton.handoff.protocol;

/** Type 4, both ways. */
public final class Heartbeat extends HandoffMessage {

    private final long sentAtMillis;
    private final int activeConnections;

    /**
     * @param sentAtMillis      the sender's wall clock when sending
     * @param activeConnections the agent's live handed-off connections (the controller sends 0)
     */
    public Heartbeat(long sentAtMillis, int activeConnections) {
        this.sentAtMillis = sentAtMillis;
        this.activeConnections = activeConnections;
    }

    public long sentAtMillis() {
        return sentAtMillis;
    }

    public int activeConnections() {
        return activeConnections;
    }

    @Override
    public MessageType type() {
        return MessageType.HEARTBEAT;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Heartbeat)) {
            return false;
        }
        Heartbeat h = (Heartbeat) o;
        return sentAtMillis == h.sentAtMillis && activeConnections == h.activeConnections;
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(sentAtMillis) + activeConnections;
    }

    @Override
    public String toString() {
        return "Heartbeat[sentAtMillis=" + sentAtMillis + ", activeConnections=" + activeConnections + "]";
    }
}
