package io.baton.handoff.protocol;

import java.util.Arrays;

/**
 * Type 5 (THOP_CREATE), controller to agent: recreate this TCP connection on the server.
 *
 * <p>Sequence numbers, timestamps and windows are unsigned 32-bit values carried in an int
 * (the bit pattern is what matters). The constructor checks only what the wire format needs
 * ({@code data} non-null and at most {@value HandoffWire#MAX_DATA} bytes); {@link
 * #validationProblem()} tells whether the values make sense as a connection (the agent answers
 * {@link DropReason#BAD_REQUEST} when they don't).
 */
public final class HandoffRequest extends HandoffMessage {

    /** The wscale value meaning "window scaling not negotiated". */
    public static final int NO_WSCALE = -1;

    private final long handoffId;
    private final int clientIpv4;
    private final int clientPort;
    private final int localIpv4;
    private final int localPort;
    private final int sendSeq;
    private final int recvSeq;
    private final int mss;
    private final int sndWscale;
    private final int rcvWscale;
    private final boolean sack;
    private final boolean timestamps;
    private final int tsVal;
    private final int tsEcr;
    private final int sndWnd;
    private final int rcvWnd;
    private final boolean forwardBeforeCommit;
    private final byte[] data;

    /**
     * @param handoffId  the controller's id for this handoff
     * @param clientIpv4 client address
     * @param clientPort client port
     * @param localIpv4  address the recreated socket binds: the server's own IP in nat mode, the VIP in dsr mode
     * @param localPort  port the recreated socket binds (the VIP's port)
     * @param sendSeq    next sequence number the server sends (controller ISN + 1)
     * @param recvSeq    sequence number of the first byte of {@code data} (client ISN + 1)
     * @param mss        the MSS the client announced (0: none announced, 536 is assumed)
     * @param sndWscale  the client's window scale, {@link #NO_WSCALE} if not negotiated
     * @param rcvWscale  the window scale the controller announced, {@link #NO_WSCALE} if none
     * @param sack       SACK permitted on both sides
     * @param timestamps TCP timestamps negotiated
     * @param tsVal      the value the server's TCP timestamp clock must show now
     * @param tsEcr      the client's latest TSval (informational: Linux repair cannot set it)
     * @param sndWnd     the client's window in bytes, already scaled
     * @param rcvWnd     the window the controller advertised, in bytes
     * @param forwardBeforeCommit the agent may send {@code data} to the web server before the
     *                   commit: it is a whole request that is safe to repeat (a GET without a body,
     *                   say), so a handoff given back after the server saw it does no harm
     * @param data       request bytes received so far ({@code recvSeq .. recvSeq+len-1}), copied
     */
    public HandoffRequest(long handoffId, int clientIpv4, int clientPort, int localIpv4, int localPort,
                          int sendSeq, int recvSeq, int mss, int sndWscale, int rcvWscale, boolean sack,
                          boolean timestamps, int tsVal, int tsEcr, int sndWnd, int rcvWnd,
                          boolean forwardBeforeCommit, byte[] data) {
        this.handoffId = handoffId;
        this.clientIpv4 = clientIpv4;
        this.clientPort = clientPort;
        this.localIpv4 = localIpv4;
        this.localPort = localPort;
        this.sendSeq = sendSeq;
        this.recvSeq = recvSeq;
        this.mss = mss;
        this.sndWscale = sndWscale;
        this.rcvWscale = rcvWscale;
        this.sack = sack;
        this.timestamps = timestamps;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        this.sndWnd = sndWnd;
        this.rcvWnd = rcvWnd;
        this.forwardBeforeCommit = forwardBeforeCommit;
        this.data = Checks.bounded(data, HandoffWire.MAX_DATA, "data");
    }

    /** A builder with every field zero/false, wscales {@link #NO_WSCALE} and empty data. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this request's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.handoffId = handoffId;
        b.clientIpv4 = clientIpv4;
        b.clientPort = clientPort;
        b.localIpv4 = localIpv4;
        b.localPort = localPort;
        b.sendSeq = sendSeq;
        b.recvSeq = recvSeq;
        b.mss = mss;
        b.sndWscale = sndWscale;
        b.rcvWscale = rcvWscale;
        b.sack = sack;
        b.timestamps = timestamps;
        b.tsVal = tsVal;
        b.tsEcr = tsEcr;
        b.sndWnd = sndWnd;
        b.rcvWnd = rcvWnd;
        b.forwardBeforeCommit = forwardBeforeCommit;
        b.data = data;
        return b;
    }

    /**
     * Why these values cannot describe a TCP connection, or {@code null} if they can: ports
     * 1..65535, addresses non-zero, mss 0..65535, wscales -1..14, windows non-negative.
     */
    public String validationProblem() {
        if (clientIpv4 == 0) {
            return "clientIpv4 is 0.0.0.0";
        }
        if (localIpv4 == 0) {
            return "localIpv4 is 0.0.0.0";
        }
        if (clientPort < 1 || clientPort > 65535) {
            return "clientPort " + clientPort + " is not 1..65535";
        }
        if (localPort < 1 || localPort > 65535) {
            return "localPort " + localPort + " is not 1..65535";
        }
        if (mss < 0 || mss > 65535) {
            return "mss " + mss + " is not 0..65535";
        }
        if (sndWscale < -1 || sndWscale > 14) {
            return "sndWscale " + sndWscale + " is not -1..14";
        }
        if (rcvWscale < -1 || rcvWscale > 14) {
            return "rcvWscale " + rcvWscale + " is not -1..14";
        }
        if (sndWnd < 0) {
            return "sndWnd " + sndWnd + " is negative";
        }
        if (rcvWnd < 0) {
            return "rcvWnd " + rcvWnd + " is negative";
        }
        return null;
    }

    public long handoffId() {
        return handoffId;
    }

    public int clientIpv4() {
        return clientIpv4;
    }

    public int clientPort() {
        return clientPort;
    }

    public int localIpv4() {
        return localIpv4;
    }

    public int localPort() {
        return localPort;
    }

    public int sendSeq() {
        return sendSeq;
    }

    public int recvSeq() {
        return recvSeq;
    }

    public int mss() {
        return mss;
    }

    public int sndWscale() {
        return sndWscale;
    }

    public int rcvWscale() {
        return rcvWscale;
    }

    public boolean sack() {
        return sack;
    }

    public boolean timestamps() {
        return timestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    public int sndWnd() {
        return sndWnd;
    }

    public int rcvWnd() {
        return rcvWnd;
    }

    /** Whether the agent may send the data to the web server before the commit. */
    public boolean forwardBeforeCommit() {
        return forwardBeforeCommit;
    }

    /** A copy of the request bytes received so far. */
    public byte[] data() {
        return data.clone();
    }

    /** The number of request bytes received so far (no copy). */
    public int dataLength() {
        return data.length;
    }

    @Override
    public MessageType type() {
        return MessageType.HANDOFF_REQUEST;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HandoffRequest)) {
            return false;
        }
        HandoffRequest r = (HandoffRequest) o;
        return handoffId == r.handoffId && clientIpv4 == r.clientIpv4 && clientPort == r.clientPort
                && localIpv4 == r.localIpv4 && localPort == r.localPort && sendSeq == r.sendSeq
                && recvSeq == r.recvSeq && mss == r.mss && sndWscale == r.sndWscale
                && rcvWscale == r.rcvWscale && sack == r.sack && timestamps == r.timestamps
                && tsVal == r.tsVal && tsEcr == r.tsEcr && sndWnd == r.sndWnd && rcvWnd == r.rcvWnd
                && forwardBeforeCommit == r.forwardBeforeCommit && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        int[] ints = {clientIpv4, clientPort, localIpv4, localPort, sendSeq, recvSeq, mss, sndWscale,
            rcvWscale, sack ? 1 : 0, timestamps ? 1 : 0, tsVal, tsEcr, sndWnd, rcvWnd, forwardBeforeCommit ? 1 : 0};
        return (Long.hashCode(handoffId) * 31 + Arrays.hashCode(ints)) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HandoffRequest[handoffId=" + handoffId
                + ", client=" + Ipv4.toString(clientIpv4) + ":" + clientPort
                + ", local=" + Ipv4.toString(localIpv4) + ":" + localPort
                + ", sendSeq=" + Integer.toUnsignedString(sendSeq)
                + ", recvSeq=" + Integer.toUnsignedString(recvSeq)
                + ", mss=" + mss + ", sndWscale=" + sndWscale + ", rcvWscale=" + rcvWscale
                + ", sack=" + sack + ", timestamps=" + timestamps
                + ", tsVal=" + Integer.toUnsignedString(tsVal) + ", tsEcr=" + Integer.toUnsignedString(tsEcr)
                + ", sndWnd=" + sndWnd + ", rcvWnd=" + rcvWnd + ", forwardBeforeCommit=" + forwardBeforeCommit
                + ", data=" + data.length + " bytes]";
    }

    /** Mutable builder for {@link HandoffRequest}; not thread-safe. */
    public static final class Builder {
        private long handoffId;
        private int clientIpv4;
        private int clientPort;
        private int localIpv4;
        private int localPort;
        private int sendSeq;
        private int recvSeq;
        private int mss;
        private int sndWscale = NO_WSCALE;
        private int rcvWscale = NO_WSCALE;
        private boolean sack;
        private boolean timestamps;
        private int tsVal;
        private int tsEcr;
        private int sndWnd;
        private int rcvWnd;
        private boolean forwardBeforeCommit;
        private byte[] data = new byte[0];

        private Builder() {
        }

        public Builder handoffId(long v) {
            handoffId = v;
            return this;
        }

        public Builder clientIpv4(int v) {
            clientIpv4 = v;
            return this;
        }

        public Builder clientPort(int v) {
            clientPort = v;
            return this;
        }

        public Builder localIpv4(int v) {
            localIpv4 = v;
            return this;
        }

        public Builder localPort(int v) {
            localPort = v;
            return this;
        }

        public Builder sendSeq(int v) {
            sendSeq = v;
            return this;
        }

        public Builder recvSeq(int v) {
            recvSeq = v;
            return this;
        }

        public Builder mss(int v) {
            mss = v;
            return this;
        }

        public Builder sndWscale(int v) {
            sndWscale = v;
            return this;
        }

        public Builder rcvWscale(int v) {
            rcvWscale = v;
            return this;
        }

        public Builder sack(boolean v) {
            sack = v;
            return this;
        }

        public Builder timestamps(boolean v) {
            timestamps = v;
            return this;
        }

        public Builder tsVal(int v) {
            tsVal = v;
            return this;
        }

        public Builder tsEcr(int v) {
            tsEcr = v;
            return this;
        }

        public Builder sndWnd(int v) {
            sndWnd = v;
            return this;
        }

        public Builder rcvWnd(int v) {
            rcvWnd = v;
            return this;
        }

        public Builder forwardBeforeCommit(boolean v) {
            forwardBeforeCommit = v;
            return this;
        }

        /** Sets the data (copied when {@link #build()} runs). */
        public Builder data(byte[] v) {
            data = v;
            return this;
        }

        public HandoffRequest build() {
            return new HandoffRequest(handoffId, clientIpv4, clientPort, localIpv4, localPort, sendSeq,
                    recvSeq, mss, sndWscale, rcvWscale, sack, timestamps, tsVal, tsEcr, sndWnd, rcvWnd,
                    forwardBeforeCommit, data);
        }
    }
}
