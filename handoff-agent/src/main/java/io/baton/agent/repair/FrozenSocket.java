package io.baton.agent.repair;

import io.baton.handoff.protocol.HandoffRequest;
import io.baton.handoff.protocol.Ipv4;

/**
 * The state {@link TcpRepair#freeze} read from a live socket. Sequence numbers, windows and
 * timestamps are unsigned 32-bit values held in ints.
 *
 * @param sendSeq        next sequence number this side will send (write_seq: unsent and unacked data precede it)
 * @param recvSeq        next sequence number expected from the peer (rcv_nxt)
 * @param sndWl1         from TCP_REPAIR_WINDOW
 * @param sndWnd         the peer's window, bytes
 * @param maxWindow      largest window the peer offered
 * @param rcvWnd         the window this side advertised, bytes
 * @param rcvWup         rcv_nxt when the window was last advertised
 * @param tsVal          this side's TCP timestamp clock now
 * @param mss            TCP_MAXSEG (the current send MSS)
 * @param timestamps     timestamps negotiated (TCP_INFO)
 * @param sack           SACK negotiated (TCP_INFO)
 * @param windowScaling  window scaling negotiated (TCP_INFO)
 * @param sndWscale      the peer's window scale (TCP_INFO), -1 without window scaling
 * @param rcvWscale      this side's window scale (TCP_INFO), -1 without window scaling
 * @param recvQueueBytes bytes received but not yet read by the application
 * @param sendQueueBytes bytes written but not yet acknowledged by the peer
 */
public record FrozenSocket(int localIpv4, int localPort, int remoteIpv4, int remotePort, int sendSeq, int recvSeq,
                           int sndWl1, int sndWnd, int maxWindow, int rcvWnd, int rcvWup, int tsVal, int mss,
                           boolean timestamps, boolean sack, boolean windowScaling, int sndWscale, int rcvWscale,
                           int recvQueueBytes, int sendQueueBytes) {

    /**
     * A request that recreates this connection elsewhere, given the bytes the application had
     * already read ({@code alreadyRead}, which must be the last bytes before {@code recvSeq}).
     * {@code recvSeq} of the request is {@code this.recvSeq - alreadyRead.length}.
     */
    public HandoffRequest toRequest(long handoffId, byte[] alreadyRead) {
        return HandoffRequest.builder()
                .handoffId(handoffId)
                .clientIpv4(remoteIpv4).clientPort(remotePort)
                .localIpv4(localIpv4).localPort(localPort)
                .sendSeq(sendSeq).recvSeq(recvSeq - alreadyRead.length)
                .mss(mss).sndWscale(sndWscale).rcvWscale(rcvWscale)
                .sack(sack).timestamps(timestamps).tsVal(tsVal).tsEcr(0)
                .sndWnd(sndWnd).rcvWnd(rcvWnd)
                .data(alreadyRead)
                .build();
    }

    @Override
    public String toString() {
        return "FrozenSocket[" + Ipv4.toString(localIpv4) + ":" + localPort + " -> " + Ipv4.toString(remoteIpv4) + ":"
                + remotePort + ", sendSeq=" + Integer.toUnsignedString(sendSeq) + ", recvSeq="
                + Integer.toUnsignedString(recvSeq) + ", sndWnd=" + sndWnd + ", maxWindow=" + maxWindow + ", rcvWnd="
                + rcvWnd + ", tsVal=" + Integer.toUnsignedString(tsVal) + ", mss=" + mss + ", timestamps=" + timestamps
                + ", sack=" + sack + ", wscale=" + sndWscale + "/" + rcvWscale + ", inq=" + recvQueueBytes
                + ", outq=" + sendQueueBytes + "]";
    }
}
