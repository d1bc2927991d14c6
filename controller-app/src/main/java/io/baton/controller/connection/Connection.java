package io.baton.controller.connection;

import io.baton.dispatcher.request.HttpHeadDecoder;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;

/**
 * Everything Baton knows of one client connection. Owned by the {@link ConnectionTable} and
 * touched only on the engine thread. The fields are the TCP state that must be handed to the
 * server's agent so that its recreated socket continues exactly where the controller stopped.
 */
public final class Connection {
    private final long id;
    private final ConnectionKey key;
    private final SwitchId sw;
    private final int clientSwitchPort;
    private final MacAddress clientMac;
    private final long createdNanos;
    private ConnectionState state = ConnectionState.SYN_RECEIVED;

    /** Negotiated in the handshake. */
    public int clientIsn;
    public int serverIsn;
    public int mss;
    /** Client's window scale (applies to windows the client sends), -1 if none. */
    public int clientWindowScale = -1;
    /** The scale Baton announced, -1 if none. */
    public int ourWindowScale = -1;
    public boolean sack;
    public boolean timestamps;
    /** Added to the engine's millisecond clock to give this connection's TSval (RFC 7323 §5.4). */
    public int tsOffset;
    /** The client's latest TSval, echoed as TSecr. */
    public int tsRecent;
    /** The client's latest window, already scaled, in bytes. */
    public int clientWindow;
    /** Next sequence number expected from the client. */
    public int rcvNxt;

    /** Request bytes accepted (and acknowledged) so far, from clientIsn + 1. */
    private final ByteArrayOutputStream received = new ByteArrayOutputStream(512);
    /** Frames that arrived during the handoff, released to the server once rules are in. */
    private final ArrayDeque<byte[]> heldFrames = new ArrayDeque<>(4);
    private int heldBytes;

    /** Parser state of the request head; owned by the front end. */
    public HttpHeadDecoder headDecoder;
    /** Set once dispatch chose a server. */
    public ServerBinding server;
    public long handoffStartedNanos;
    public boolean rulesInstalled;

    public Connection(long id, ConnectionKey key, SwitchId sw, int clientSwitchPort, MacAddress clientMac, long createdNanos) {
        this.id = id;
        this.key = key;
        this.sw = sw;
        this.clientSwitchPort = clientSwitchPort;
        this.clientMac = clientMac;
        this.createdNanos = createdNanos;
    }

    public long id() { return id; }
    public ConnectionKey key() { return key; }
    public SwitchId sw() { return sw; }
    public int clientSwitchPort() { return clientSwitchPort; }
    public MacAddress clientMac() { return clientMac; }
    public long createdNanos() { return createdNanos; }
    public ConnectionState state() { return state; }

    void state(ConnectionState s) {
        state = s;
    }

    public void appendReceived(byte[] b, int off, int len) {
        received.write(b, off, len);
    }

    public int receivedLength() {
        return received.size();
    }

    public byte[] receivedBytes() {
        return received.toByteArray();
    }

    /** Holds a frame for later release; false (frame not held) when the bound is reached. */
    public boolean hold(byte[] frame, int maxFrames, int maxBytes) {
        if (heldFrames.size() >= maxFrames || heldBytes + frame.length > maxBytes) {
            return false;
        }
        heldFrames.add(frame);
        heldBytes += frame.length;
        return true;
    }

    /** Takes the held frames, oldest first. */
    public ArrayDeque<byte[]> takeHeld() {
        ArrayDeque<byte[]> out = new ArrayDeque<>(heldFrames);
        heldFrames.clear();
        heldBytes = 0;
        return out;
    }

    @Override
    public String toString() {
        return "conn#" + id + "{" + key + "," + state + (server == null ? "" : ",server=" + server) + "}";
    }
}
