package io.baton.controller.packet;

/**
 * The TCP options Baton negotiates in its handshake (RFC 793 MSS, RFC 7323 window scale and
 * timestamps, RFC 2018 SACK-permitted). -1 means "absent" for the numeric ones.
 */
public final class TcpOptions {
    public static final TcpOptions NONE = new TcpOptions(-1, -1, false, false, 0, 0);

    private final int mss;
    private final int windowScale;
    private final boolean sackPermitted;
    private final boolean timestamps;
    private final int tsVal;
    private final int tsEcr;

    public TcpOptions(int mss, int windowScale, boolean sackPermitted, boolean timestamps, int tsVal, int tsEcr) {
        this.mss = mss;
        this.windowScale = windowScale;
        this.sackPermitted = sackPermitted;
        this.timestamps = timestamps;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
    }

    public int mss() { return mss; }
    public int windowScale() { return windowScale; }
    public boolean sackPermitted() { return sackPermitted; }
    public boolean timestamps() { return timestamps; }
    public int tsVal() { return tsVal; }
    public int tsEcr() { return tsEcr; }

    /** Only a timestamps option (what every segment after the SYN carries when negotiated). */
    public static TcpOptions timestampsOnly(int tsVal, int tsEcr) {
        return new TcpOptions(-1, -1, false, true, tsVal, tsEcr);
    }

    /** Bytes these options take on the wire, padded to a multiple of 4. */
    int encodedLength() {
        int n = 0;
        if (mss >= 0) {
            n += 4;
        }
        if (sackPermitted && timestamps) {
            n += 12; // SACK_PERM(2) + TS(10), no padding needed
        } else {
            if (sackPermitted) {
                n += 4; // NOP NOP SACK_PERM
            }
            if (timestamps) {
                n += 12; // NOP NOP TS
            }
        }
        if (windowScale >= 0) {
            n += 4; // NOP WSCALE
        }
        return n;
    }

    /** Writes the options in the order Linux uses, so captures look familiar. */
    int encode(byte[] b, int off) {
        int p = off;
        if (mss >= 0) {
            b[p++] = 2;
            b[p++] = 4;
            b[p++] = (byte) (mss >>> 8);
            b[p++] = (byte) mss;
        }
        if (sackPermitted && timestamps) {
            b[p++] = 4;
            b[p++] = 2;
            p = writeTimestamps(b, p);
        } else {
            if (timestamps) {
                b[p++] = 1;
                b[p++] = 1;
                p = writeTimestamps(b, p);
            }
            if (sackPermitted) {
                b[p++] = 1;
                b[p++] = 1;
                b[p++] = 4;
                b[p++] = 2;
            }
        }
        if (windowScale >= 0) {
            b[p++] = 1;
            b[p++] = 3;
            b[p++] = 3;
            b[p++] = (byte) windowScale;
        }
        return p - off;
    }

    private int writeTimestamps(byte[] b, int p) {
        b[p++] = 8;
        b[p++] = 10;
        Bytes.putInt(b, p, tsVal);
        Bytes.putInt(b, p + 4, tsEcr);
        return p + 8;
    }

    @Override
    public String toString() {
        return "opts{mss=" + mss + ",ws=" + windowScale + ",sack=" + sackPermitted
                + (timestamps ? ",ts=" + Integer.toUnsignedString(tsVal) + "/" + Integer.toUnsignedString(tsEcr) : "") + "}";
    }
}
