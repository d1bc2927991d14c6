package io.baton.controller.connection;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stateless SYN cookies, used when the half-open table is full (as Linux does, tcp_syncookies=1).
 * The initial sequence number carries an 8-bit time counter, a keyed hash of the connection and
 * the client's ISN, and a 2-bit MSS index. When the client uses timestamps, the low 6 bits of
 * Baton's TSval carry SACK-permitted and the client's window scale, which the client echoes back
 * in TSecr (Linux's cookie_init_timestamp does the same).
 */
public final class SynCookies {
    /** MSS values a cookie can express; a client's MSS is rounded down to one of these. */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    private static final int COUNTER_PERIOD_MILLIS = 64_000;
    private static final int MAX_AGE_COUNTERS = 2;
    private static final int TS_BITS_MASK = 0x3f;
    private static final int NO_WSCALE = 0xf;

    private final Mac mac;

    public SynCookies(byte[] secret) {
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The ISN that encodes this connection; {@code mssIndex} from {@link #mssIndex(int)}. */
    public int isn(ConnectionKey key, int clientIsn, int mssIndex, long nowMillis) {
        int counter = (int) (nowMillis / COUNTER_PERIOD_MILLIS) & 0xff;
        return (counter << 24) | ((hash(key, clientIsn, counter) + mssIndex) & 0xffffff);
    }

    /**
     * Checks the ACK of a cookie SYN-ACK: {@code ackMinusOne} is the client's ack - 1 and
     * {@code clientIsn} its seq - 1. Returns the MSS index, or -1 if it is no valid cookie.
     */
    public int check(ConnectionKey key, int clientIsn, int ackMinusOne, long nowMillis) {
        int counter = ackMinusOne >>> 24;
        int now = (int) (nowMillis / COUNTER_PERIOD_MILLIS) & 0xff;
        if (((now - counter) & 0xff) > MAX_AGE_COUNTERS) {
            return -1;
        }
        int diff = ((ackMinusOne & 0xffffff) - hash(key, clientIsn, counter)) & 0xffffff;
        return diff < MSS_TABLE.length ? diff : -1;
    }

    public static int mssIndex(int clientMss) {
        int idx = 0;
        for (int i = 0; i < MSS_TABLE.length; i++) {
            if (MSS_TABLE[i] <= clientMss) {
                idx = i;
            }
        }
        return idx;
    }

    public static int mssOf(int index) {
        return MSS_TABLE[index];
    }

    /** A TSval whose low bits carry SACK and the client's window scale (-1 = none). */
    public static int encodeTsVal(int clock, boolean sack, int clientWindowScale) {
        int bits = (sack ? 0x10 : 0) | (clientWindowScale < 0 ? NO_WSCALE : clientWindowScale);
        return (clock & ~TS_BITS_MASK) | bits;
    }

    public static boolean sackFromTsEcr(int tsEcr) {
        return (tsEcr & 0x10) != 0;
    }

    public static int windowScaleFromTsEcr(int tsEcr) {
        int ws = tsEcr & NO_WSCALE;
        return ws == NO_WSCALE ? -1 : Math.min(ws, 14);
    }

    private int hash(ConnectionKey key, int clientIsn, int counter) {
        ByteBuffer in = ByteBuffer.allocate(20);
        in.putInt(key.clientIp()).putInt(key.vip()).putShort((short) key.clientPort())
                .putShort((short) key.vipPort()).putInt(clientIsn).putInt(counter);
        byte[] out = mac.doFinal(in.array());
        return ((out[0] & 0xff) << 16) | ((out[1] & 0xff) << 8) | (out[2] & 0xff);
    }
}
