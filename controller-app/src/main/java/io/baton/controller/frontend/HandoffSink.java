package io.baton.controller.frontend;

import io.baton.controller.config.ServiceConfig;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;
import io.baton.controller.packet.Frame;
import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.flowrules.api.SwitchId;

/** Where the front end passes a connection once its request head is complete. */
public interface HandoffSink {
    /**
     * The head is complete, not yet acknowledged: choose a server and hand the connection off,
     * and acknowledge it ({@link TcpFrontend#acknowledgeRequest}) once the handoff's messages
     * that the first byte waits for are out. The
     * request bytes ({@link Connection#receivedBytes()}) are released when this returns: take
     * them now. {@code headLength} is how many of them the head takes; any others follow it.
     */
    void requestReady(ServiceConfig service, Connection c, HttpRequestHead head, int headLength);

    /**
     * A SYN was taken into the half-open table; its SYN-ACK goes right after this returns, on the
     * same switch connection. Not called for a SYN answered with a stateless cookie.
     */
    void synAccepted(ServiceConfig service, Connection c);

    /** A client segment for a connection that is being or has been handed off. */
    void segmentAfterDispatch(ServiceConfig service, Connection c, Frame frame);

    /** The client reset a connection that is being or has been handed off. */
    void clientReset(ServiceConfig service, Connection c, Frame reset);

    /**
     * A SYN for a key the table does not know. If the rules of a closed connection with that key
     * still linger, takes the SYN and returns true: it comes back to the front end's
     * {@code onSegment} once the switch has removed them. False if nothing is in the way.
     */
    boolean waitForClosedRules(ServiceConfig service, SwitchId sw, int inPort, ConnectionKey key, Frame syn);
}
