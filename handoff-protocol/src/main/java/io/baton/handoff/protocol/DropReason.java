package io.baton.handoff.protocol;

/** Why an agent refused or gave up a handoff (the {@code reasonCode} of {@link HandoffDrop}). */
public enum DropReason {
    /** A TCP repair call failed; the detail names the call and errno. */
    REPAIR_FAILED(1),
    /** {@code localIpv4} is neither the server's address nor one of its VIPs. */
    NOT_MY_ADDRESS(2),
    /** The agent already holds its maximum number of handed-off connections. */
    OVERLOADED(3),
    /** The local web server could not be reached. */
    UPSTREAM_UNREACHABLE(4),
    /** The handoff id or the connection's 4-tuple is already live on this agent. */
    DUPLICATE(5),
    /** A field of the request is out of range. */
    BAD_REQUEST(6),
    /** No commit (nor abort) arrived in time after HandoffReady. */
    COMMIT_TIMEOUT(7);

    private final int code;

    DropReason(int code) {
        this.code = code;
    }

    /** The wire value. */
    public int code() {
        return code;
    }

    /** The reason for a wire value, or {@code null} if unknown. */
    public static DropReason fromCode(int code) {
        for (DropReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }
}
