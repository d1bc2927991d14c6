package io.baton.controller.openflow;

import io.baton.controller.southbound.SouthboundException;

/**
 * A switch rejected a request with an OpenFlow ERROR message; the message names the switch,
 * the request and the error type and code.
 */
public class OpenFlowErrorException extends SouthboundException {
    private final String errorType;
    private final String errorCode;
    private final long xid;

    public OpenFlowErrorException(String message, String errorType, String errorCode, long xid) {
        super(message);
        this.errorType = errorType;
        this.errorCode = errorCode;
        this.xid = xid;
    }

    /** The OpenFlow error type, e.g. {@code FLOW_MOD_FAILED}. */
    public String errorType() { return errorType; }

    /** The error code within the type, e.g. {@code TABLE_FULL}; a number for experimenter errors. */
    public String errorCode() { return errorCode; }

    /** The xid of the rejected request. */
    public long xid() { return xid; }
}
