package io.baton.controller.connection;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SYN cookies: the initial sequence number carries an 8-bit time counter, a keyed hash of the
 * connection and the client's ISN, and a 3-bit index (2 bits of MSS, and whether the connection
 * can be rebuilt from the cookie alone). When the client uses timestamps, the low 6 bits of
 * Baton's TSval carry SACK-permitted and the client's window scale, which the client echoes back
 * in TSecr (Linux's cookie_init_timestamp does the same).
 *
 * <p>Every SYN-ACK carries one, not only those sent when the half-open table is full (as Linux
 * does with tcp_syncookies=1): the key comes from the handoff secret, which outlives the
 * process, so a controller restarted between a client's handshake and its request still
 * recognises the request's ACK and serves it, instead of resetting it. The hash is SipHash-2-4,
 * as Linux's cookies use, keyed with 128 bits derived from the secret.
 */
public final class SynCookies {
    /** MSS values a cookie can express; a client's MSS is rounded down to one of these. */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    /**
     * Added to the MSS index of a cookie whose connection cannot be rebuilt from it: the client
     * announced a window scale but no timestamps, so no echo carries the scale back.
     */
    public static final int NEEDS_STATE = 4;
    private static final int COUNTER_PERIOD_MILLIS = 64_000;
    private static final int MAX_AGE_COUNTERS = 2;
    private static final int TS_BITS_MASK = 0x3f;
    private static final int NO_WSCALE = 0xf;
    private static final byte[] KEY_LABEL = "baton syn cookie key v1".getBytes(StandardCharsets.US_ASCII);

    private final HashFunction sipHash;

    /** {@code secret}: any length; the same secret gives the same cookies. */
    public SynCookies(byte[] secret) {
        ByteBuffer key;
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(KEY_LABEL);
            key = ByteBuffer.wrap(sha.digest(secret));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
        sipHash = Hashing.sipHash24(key.getLong(), key.getLong());
    }

    /**
     * The ISN that encodes this connection; {@code mssIndex} from {@link #mssIndex(int)}, plus
     * {@link #NEEDS_STATE} when the connection cannot be rebuilt from the cookie.
     */
    public int isn(ConnectionKey key, int clientIsn, int mssIndex, long nowMillis) {
        int counter = (int) (nowMillis / COUNTER_PERIOD_MILLIS) & 0xff;
        return (counter << 24) | ((hash(key, clientIsn, counter) + mssIndex) & 0xffffff);
    }

    /**
     * Checks the ACK of a cookie SYN-ACK: {@code ackMinusOne} is the client's ack - 1 and
     * {@code clientIsn} its seq - 1. Returns the index given to {@link #isn} (MSS index, maybe
     * plus {@link #NEEDS_STATE}), or -1 if it is no valid cookie.
     */
    public int check(ConnectionKey key, int clientIsn, int ackMinusOne, long nowMillis) {
        int counter = ackMinusOne >>> 24;
        int now = (int) (nowMillis / COUNTER_PERIOD_MILLIS) & 0xff;
        if (((now - counter) & 0xff) > MAX_AGE_COUNTERS) {
            return -1;
        }
        int diff = ((ackMinusOne & 0xffffff) - hash(key, clientIsn, counter)) & 0xffffff;
        return diff < 2 * NEEDS_STATE ? diff : -1;
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
        return MSS_TABLE[index & (NEEDS_STATE - 1)];
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
        return sipHash.newHasher(20).putInt(key.clientIp()).putInt(key.vip()).putShort((short) key.clientPort())
                .putShort((short) key.vipPort()).putInt(clientIsn).putInt(counter).hash().asInt() & 0xffffff;
    }
}
