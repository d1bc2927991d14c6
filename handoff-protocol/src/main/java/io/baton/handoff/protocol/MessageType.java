package io.baton.handoff.protocol;

/** The type byte of a handoff protocol frame. */
public enum MessageType {
    /** controller to agent, first message after connect. */
    CHALLENGE(1),
    /** agent to controller, answers the challenge. */
    HELLO(2),
    /** controller to agent, proves the controller knows the secret. */
    WELCOME(3),
    /** both ways. */
    HEARTBEAT(4),
    /** controller to agent (THOP_CREATE). */
    HANDOFF_REQUEST(5),
    /** agent to controller: socket recreated, silent until commit. */
    HANDOFF_READY(6),
    /** agent to controller (THOP_NOTIFYDROP). */
    HANDOFF_DROP(7),
    /** controller to agent: rules installed, start relaying. */
    HANDOFF_COMMIT(8),
    /** controller to agent: forget the handoff, close the socket silently. */
    HANDOFF_ABORT(9),
    /** agent to controller (THOP_NOTIFYCLS). */
    CONNECTION_CLOSED(10),
    /** controller to agent: the HTTP checks to run against the local server (replaces the last set). */
    HEALTH_CHECKS(11),
    /** agent to controller: the result of one check. */
    HEALTH_REPORT(12),
    /** agent to controller, after each authentication: the connections it relays now. */
    LIVE_CONNECTIONS(13);

    private static final MessageType[] BY_CODE = new MessageType[14];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The wire value of this type (1..13). */
    public int code() {
        return code;
    }

    /** The type for a wire value, or {@code null} if the value is not a known type. */
    public static MessageType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
