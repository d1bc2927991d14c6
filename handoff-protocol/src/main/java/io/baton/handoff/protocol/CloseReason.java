package io.baton.handoff.protocol;

/** Why a relayed connection ended (the {@code reasonCode} of {@link ConnectionClosed}). */
public enum CloseReason {
    /** Both sides closed their direction (FIN both ways). */
    NORMAL(0),
    /** The client side failed (reset, or another socket error). */
    RESET(1),
    /** The web server could not be reached or failed. */
    UPSTREAM_ERROR(2),
    /** The connection was idle for too long. */
    TIMEOUT(3),
    /**
     * As {@link #NORMAL}, and the client had acknowledged the server's FIN when its own came: the
     * server's side is in TIME_WAIT and needs nothing more from the client, whose port may come
     * back at once for a new connection.
     */
    FINISHED(4);

    private final int code;

    CloseReason(int code) {
        this.code = code;
    }

    /** The wire value. */
    public int code() {
        return code;
    }

    /** The reason for a wire value, or {@code null} if unknown. */
    public static CloseReason fromCode(int code) {
        for (CloseReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }
}
