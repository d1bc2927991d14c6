package io.baton.agent.repair;

import com.sun.jna.LastErrorException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Looks up and destroys one TCP socket of this network namespace by its four-tuple, through the
 * kernel's sock_diag netlink interface (what {@code ss -K} uses; SOCK_DESTROY needs
 * CONFIG_INET_DIAG_DESTROY and CAP_NET_ADMIN, which TCP repair needs anyway).
 *
 * <p>Why: a client may reuse its port for a new connection while this host still holds the
 * previous connection of the same four-tuple, closing (FIN_WAIT1/2, LAST_ACK, CLOSING: its last
 * segments met no rule any more and were answered by a reset it never got). Such a socket no
 * longer belongs to any process, and the client's new handshake proves it has forgotten that
 * connection; the kernel would drop the socket itself at its first segment, but Baton's
 * controller took the handshake, so the server never sees one. A socket that a process still
 * holds is never destroyed: it may be a live connection the agent knows nothing of.
 */
public final class SocketDiag {
    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_SOCK_DIAG = 4;
    private static final short SOCK_DIAG_BY_FAMILY = 20;
    private static final short SOCK_DESTROY = 21;
    private static final short NLMSG_ERROR = 2;
    private static final short NLM_F_REQUEST = 1;
    private static final short NLM_F_ACK = 4;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int ENOENT = 2;
    private static final int NLMSG_HDRLEN = 16;
    /** struct inet_diag_req_v2: family, protocol, ext, pad, states, then struct inet_diag_sockid. */
    private static final int REQUEST_LEN = NLMSG_HDRLEN + 56;
    /** Offsets in an answer of struct inet_diag_msg, after the netlink header. */
    private static final int MSG_STATE = 1;
    private static final int MSG_SPORT = 4;
    private static final int MSG_DPORT = 6;
    private static final int MSG_SRC = 8;
    private static final int MSG_DST = 24;
    private static final int MSG_COOKIE = 44;
    private static final int MSG_INODE = 4 + 48 + 16;
    private static final int MSG_LEN = MSG_INODE + 4;
    /** INET_DIAG_NOCOOKIE: any socket of the four-tuple. */
    private static final long ANY_SOCKET = -1L;
    /** include/net/tcp_states.h. */
    private static final String[] STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
        "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    /**
     * One socket as sock_diag describes it; {@code cookie} names this very socket, so that a
     * destroy cannot hit another one that took its place.
     */
    public record Held(int state, long inode, long cookie) {
        /** No process holds it: the kernel finishes it alone (closing, or TIME_WAIT). */
        public boolean orphaned() {
            return inode == 0;
        }

        public String stateName() {
            return state > 0 && state < STATES.length ? STATES[state] : "state " + state;
        }

        @Override
        public String toString() {
            return stateName() + (orphaned() ? ", no process's" : ", a process's (inode " + inode + ")");
        }
    }

    private SocketDiag() {
    }

    /**
     * The socket of this four-tuple here, or null when there is none. (The kernel's lookup falls
     * back to a listener of the local address; that is not the four-tuple's, so it is not returned.)
     */
    public static Held find(int localIpv4, int localPort, int remoteIpv4, int remotePort) throws RepairException {
        ByteBuffer answer = exchange(SOCK_DIAG_BY_FAMILY, localIpv4, localPort, remoteIpv4, remotePort, ANY_SOCKET);
        if (answer.getShort(4) == NLMSG_ERROR) {
            int errno = -answer.getInt(NLMSG_HDRLEN);
            if (errno == ENOENT) {
                return null;
            }
            throw new RepairException("sock_diag lookup: " + TcpRepair.describeErrno(errno), errno);
        }
        if (answer.getShort(4) != SOCK_DIAG_BY_FAMILY || answer.limit() < NLMSG_HDRLEN + MSG_LEN) {
            throw new RepairException("sock_diag lookup: unexpected answer of type " + answer.getShort(4)
                    + " and " + answer.limit() + " bytes", 0);
        }
        ByteBuffer msg = answer.position(NLMSG_HDRLEN).slice().order(ByteOrder.BIG_ENDIAN);
        if ((msg.getShort(MSG_SPORT) & 0xffff) != localPort || (msg.getShort(MSG_DPORT) & 0xffff) != remotePort
                || msg.getInt(MSG_SRC) != localIpv4 || msg.getInt(MSG_DST) != remoteIpv4) {
            return null;
        }
        msg.order(ByteOrder.nativeOrder());
        return new Held(msg.get(MSG_STATE) & 0xff, Integer.toUnsignedLong(msg.getInt(MSG_INODE)), msg.getLong(MSG_COOKIE));
    }

    /** {@link #find}, or null when sock_diag cannot answer either: for an error message. */
    static Held findQuietly(int localIpv4, int localPort, int remoteIpv4, int remotePort) {
        try {
            return find(localIpv4, localPort, remoteIpv4, remotePort);
        } catch (RepairException e) {
            return null;
        }
    }

    /**
     * Destroys {@code held}, found by {@link #find} for this four-tuple; false when it is gone.
     * The kernel sends the peer a reset if the socket's state calls for one (as at an abort).
     */
    public static boolean destroy(Held held, int localIpv4, int localPort, int remoteIpv4, int remotePort)
            throws RepairException {
        ByteBuffer answer = exchange(SOCK_DESTROY, localIpv4, localPort, remoteIpv4, remotePort, held.cookie());
        if (answer.getShort(4) != NLMSG_ERROR) {
            throw new RepairException("sock_diag destroy: unexpected answer of type " + answer.getShort(4), 0);
        }
        int errno = -answer.getInt(NLMSG_HDRLEN);
        if (errno == 0) {
            return true;
        }
        if (errno == ENOENT) {
            return false;
        }
        throw new RepairException("sock_diag destroy: " + TcpRepair.describeErrno(errno), errno);
    }

    /** The request as the kernel reads it; package-private for a test of its layout. */
    static byte[] request(short type, int localIpv4, int localPort, int remoteIpv4, int remotePort, long cookie) {
        ByteBuffer b = ByteBuffer.allocate(REQUEST_LEN).order(ByteOrder.nativeOrder());
        b.putInt(REQUEST_LEN).putShort(type).putShort((short) (NLM_F_REQUEST | NLM_F_ACK)).putInt(1).putInt(0);
        b.put((byte) TcpRepair.AF_INET).put((byte) 6 /* IPPROTO_TCP */).put((byte) 0).put((byte) 0);
        b.putInt(-1); // every state
        // struct inet_diag_sockid: ports and addresses in network order; "src" is this host's end.
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) localPort).putShort((short) remotePort)
                .putInt(localIpv4).putInt(0).putInt(0).putInt(0)
                .putInt(remoteIpv4).putInt(0).putInt(0).putInt(0);
        b.order(ByteOrder.nativeOrder()).putInt(0); // any interface
        b.putLong(cookie); // two u32 in this machine's order, low word first: as the kernel wrote it
        return b.array();
    }

    private static ByteBuffer exchange(short type, int localIpv4, int localPort, int remoteIpv4, int remotePort,
                                       long cookie) throws RepairException {
        LibC c = TcpRepair.libc();
        int fd;
        try {
            fd = c.socket(AF_NETLINK, SOCK_RAW | TcpRepair.SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        } catch (LastErrorException e) {
            throw new RepairException("sock_diag socket: " + TcpRepair.describeErrno(e.getErrorCode()), e.getErrorCode());
        }
        try {
            byte[] req = request(type, localIpv4, localPort, remoteIpv4, remotePort, cookie);
            c.send(fd, req, req.length, 0);
            // The kernel answers within send(): the answer is queued when it returns.
            byte[] buf = new byte[8192];
            long n = c.recv(fd, buf, buf.length, MSG_DONTWAIT);
            if (n < NLMSG_HDRLEN + 4) {
                throw new RepairException("sock_diag: an answer of " + n + " bytes", 0);
            }
            return ByteBuffer.wrap(buf, 0, (int) n).slice().order(ByteOrder.nativeOrder());
        } catch (LastErrorException e) {
            throw new RepairException("sock_diag: " + TcpRepair.describeErrno(e.getErrorCode()), e.getErrorCode());
        } finally {
            try {
                c.close(fd);
            } catch (LastErrorException e) {
                // released by the kernel in any case
            }
        }
    }
}
