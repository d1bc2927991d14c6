package io.baton.controller.connection;

/** Where a client connection is in Baton's life cycle. */
public enum ConnectionState {
    /** SYN answered, waiting for the client's ACK. */
    SYN_RECEIVED,
    /** Handshake done, collecting the request head. */
    COLLECTING,
    /** Server chosen, handoff prepared with the agent, its reply's rule being installed. */
    HANDING_OFF,
    /**
     * Committed to its server, the forward rule not confirmed yet: the client's packets may still
     * come up, and are sent on to the server.
     */
    COMMITTED,
    /** Rules installed and committed: the switch forwards, the controller only watches. */
    HANDED_OFF,
    /**
     * Its agent reported the close: out of the table, its rules left in a little longer for the
     * last ACKs and FINs in flight.
     */
    CLOSED
}
