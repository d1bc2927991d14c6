package io.baton.handoff.protocol;

/** Type 10 (THOP_NOTIFYCLS), agent to controller: a relayed connection ended. */
public final class ConnectionClosed extends HandoffMessage {

    private final long handoffId;
    private final long bytesFromClient;
    private final long bytesToClient;
    private final int reasonCode;

    /**
     * @param bytesFromClient bytes relayed client to web server, including the request bytes
     *                        that came in the HandoffRequest (not counting a PROXY header)
     * @param bytesToClient   bytes relayed web server to client
     * @param reasonCode      a {@link CloseReason} code: 0 normal, 1 reset, 2 upstream error, 3 timeout,
     *                        4 finished (normal, the server's side in TIME_WAIT)
     */
    public ConnectionClosed(long handoffId, long bytesFromClient, long bytesToClient, int reasonCode) {
        this.handoffId = handoffId;
        this.bytesFromClient = bytesFromClient;
        this.bytesToClient = bytesToClient;
        this.reasonCode = reasonCode;
    }

    /** Convenience: with a known reason. */
    public ConnectionClosed(long handoffId, long bytesFromClient, long bytesToClient, CloseReason reason) {
        this(handoffId, bytesFromClient, bytesToClient, reason.code());
    }

    public long handoffId() {
        return handoffId;
    }

    public long bytesFromClient() {
        return bytesFromClient;
    }

    public long bytesToClient() {
        return bytesToClient;
    }

    public int reasonCode() {
        return reasonCode;
    }

    /** The reason as an enum, or {@code null} if the code is not a known one. */
    public CloseReason reason() {
        return CloseReason.fromCode(reasonCode);
    }

    @Override
    public MessageType type() {
        return MessageType.CONNECTION_CLOSED;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConnectionClosed)) {
            return false;
        }
        ConnectionClosed c = (ConnectionClosed) o;
        return handoffId == c.handoffId && bytesFromClient == c.bytesFromClient
                && bytesToClient == c.bytesToClient && reasonCode == c.reasonCode;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(handoffId);
        h = 31 * h + Long.hashCode(bytesFromClient);
        h = 31 * h + Long.hashCode(bytesToClient);
        return 31 * h + reasonCode;
    }

    @Override
    public String toString() {
        CloseReason r = reason();
        return "ConnectionClosed[handoffId=" + handoffId + ", bytesFromClient=" + bytesFromClient
                + ", bytesToClient=" + bytesToClient + ", reasonCode=" + reasonCode
                + (r != null ? " (" + r + ")" : "") + "]";
    }
}
