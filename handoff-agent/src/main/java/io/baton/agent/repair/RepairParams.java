package io.baton.agent.repair;

import io.baton.handoff.protocol.HandoffRequest;

/**
 * What {@link TcpRepair#restore} needs to recreate a connection. Sequence numbers, timestamps
 * and windows are unsigned 32-bit values held in ints.
 *
 * @param localIpv4  address to bind (the server's own in nat mode, the VIP in dsr mode)
 * @param localPort  port to bind
 * @param remoteIpv4 the client's address
 * @param remotePort the client's port
 * @param sendSeq    next sequence number this side sends
 * @param recvSeq    sequence number of the first byte of {@code data}
 * @param mss        the peer's MSS (0: 536)
 * @param sndWscale  the peer's window scale, -1 if window scaling is off
 * @param rcvWscale  this side's window scale, -1 if window scaling is off
 * @param sack       SACK permitted
 * @param timestamps TCP timestamps on
 * @param tsVal      what this side's timestamp clock must show now
 * @param sndWnd     the peer's window, bytes
 * @param rcvWnd     the window this side advertised, bytes
 * @param data       bytes to put in the receive queue (already received from the peer)
 */
public record RepairParams(int localIpv4, int localPort, int remoteIpv4, int remotePort, int sendSeq,
                           int recvSeq, int mss, int sndWscale, int rcvWscale, boolean sack,
                           boolean timestamps, int tsVal, int sndWnd, int rcvWnd, byte[] data) {

    /**
     * These parameters with {@code data} taken as read by the application: the receive queue
     * starts empty, after it (the agent writes the request to the web server itself).
     */
    public RepairParams withDataRead() {
        return new RepairParams(localIpv4, localPort, remoteIpv4, remotePort, sendSeq, recvSeq + data.length, mss,
                sndWscale, rcvWscale, sack, timestamps, tsVal, sndWnd, rcvWnd, new byte[0]);
    }

    /** The parameters a {@link HandoffRequest} carries. */
    public static RepairParams of(HandoffRequest r) {
        return new RepairParams(r.localIpv4(), r.localPort(), r.clientIpv4(), r.clientPort(), r.sendSeq(),
                r.recvSeq(), r.mss(), r.sndWscale(), r.rcvWscale(), r.sack(), r.timestamps(), r.tsVal(),
                r.sndWnd(), r.rcvWnd(), r.data());
    }
}
