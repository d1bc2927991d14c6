package io.baton.controller.connection;

import io.baton.dispatcher.request.HttpHeadDecoder;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;

import java.util.ArrayDeque;
import java.util.Arrays;

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
    /** As a long, not a MacAddress: 20 bytes less per tracked connection. */
    private final long clientMac;
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

    /*
     * Memory: a handed-off connection keeps only what it needs until it closes, so the buffers
     * below are made on first use and dropped when done (the controller bench measured 991 bytes
     * of heap per tracked connection with an eager 512-byte request buffer and an empty queue).
     */
    /** Request bytes accepted (and acknowledged) so far, from clientIsn + 1; null before the first and after release. */
    private byte[] received;
    private int receivedLength;
    /**
     * Frames that arrived during the handoff, released to the server once rules are in; null
     * when none. Their byte count is summed when needed (at most 64 frames) rather than kept.
     */
    private ArrayDeque<byte[]> heldFrames;

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
        this.clientMac = clientMac.toLong();
        this.createdNanos = createdNanos;
    }

    public long id() { return id; }
    public ConnectionKey key() { return key; }
    public SwitchId sw() { return sw; }
    public int clientSwitchPort() { return clientSwitchPort; }
    public MacAddress clientMac() { return MacAddress.of(clientMac); }
    public long createdNanos() { return createdNanos; }
    public ConnectionState state() { return state; }

    void state(ConnectionState s) {
        state = s;
    }

    public void appendReceived(byte[] b, int off, int len) {
        if (received == null) {
            received = new byte[len];
        } else if (received.length - receivedLength < len) {
            received = Arrays.copyOf(received, Math.max(receivedLength + len, 2 * received.length));
        }
        System.arraycopy(b, off, received, receivedLength, len);
        receivedLength += len;
    }

    /** How many request bytes are held (0 after {@link #releaseReceived()}). */
    public int receivedLength() {
        return receivedLength;
    }

    /** A copy of the request bytes received so far (empty after {@link #releaseReceived()}). */
    public byte[] receivedBytes() {
        return received == null ? new byte[0] : Arrays.copyOf(received, receivedLength);
    }

    /**
     * Whether {@code len} bytes the client sent (again) from sequence number {@code seq} differ
     * from the request bytes already received at the same place; only the part both cover is
     * compared (none once they were released).
     */
    public boolean receivedDiffers(int seq, byte[] b, int off, int len) {
        int at = seq - (clientIsn + 1); // where b[off] falls in the received bytes
        int skip = 0;
        if (at < 0) {
            skip = -at; // bytes before the first one of the request (e.g. at the SYN's number)
            at = 0;
        }
        for (int i = skip; i < len && at < receivedLength; i++, at++) {
            if (received[at] != b[off + i]) {
                return true;
            }
        }
        return false;
    }

    /** Forgets the request bytes once they were handed to the server. */
    public void releaseReceived() {
        received = null;
        receivedLength = 0;
    }

    /** Holds a frame for later release; false (frame not held) when the bound is reached. */
    public boolean hold(byte[] frame, int maxFrames, int maxBytes) {
        if (heldFrames == null) {
            heldFrames = new ArrayDeque<>(4);
        }
        if (heldFrames.size() >= maxFrames) {
            return false;
        }
        int bytes = frame.length;
        for (byte[] f : heldFrames) {
            bytes += f.length;
        }
        if (bytes > maxBytes) {
            return false;
        }
        heldFrames.add(frame);
        return true;
    }

    /** Takes the held frames, oldest first. */
    public ArrayDeque<byte[]> takeHeld() {
        ArrayDeque<byte[]> out = heldFrames == null ? new ArrayDeque<>(0) : heldFrames;
        heldFrames = null;
        return out;
    }

    @Override
    public String toString() {
        return "conn#" + id + "{" + key + "," + state + (server == null ? "" : ",server=" + server) + "}";
    }
}
