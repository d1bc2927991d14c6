package io.baton.agent.repair;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import io.baton.handoff.protocol.Ipv4;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Linux TCP repair mode through JNA: recreate a connection with given sequence numbers, options
 * and window ({@link #restore}), read a live connection's state ({@link #freeze}), and close a
 * socket without anything leaving ({@link #closeSilently}). Needs CAP_NET_ADMIN. The calls do
 * not block. Thread-safe (no state besides the loaded library).
 */
public final class TcpRepair {

    public static final int AF_INET = 2;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOCK_NONBLOCK = 0x800;
    /** connect(): the four-tuple is taken on this host. */
    public static final int EADDRNOTAVAIL = 99;
    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SOL_TCP = 6;
    public static final int TCP_MAXSEG = 2;
    public static final int TCP_INFO = 11;
    public static final int TCP_REPAIR = 19;
    public static final int TCP_REPAIR_QUEUE = 20;
    public static final int TCP_QUEUE_SEQ = 21;
    public static final int TCP_REPAIR_OPTIONS = 22;
    public static final int TCP_TIMESTAMP = 24;
    public static final int TCP_REPAIR_WINDOW = 29;
    public static final int TCP_NO_QUEUE = 0;
    public static final int TCP_RECV_QUEUE = 1;
    public static final int TCP_SEND_QUEUE = 2;
    public static final int TCPOPT_MSS = 2;
    public static final int TCPOPT_WINDOW = 3;
    public static final int TCPOPT_SACK_PERM = 4;
    public static final int TCPOPT_TIMESTAMP = 8;
    public static final int TCP_REPAIR_ON = 1;
    public static final int TCP_REPAIR_OFF = 0;
    public static final int TCP_REPAIR_OFF_NO_WP = -1;
    public static final int F_GETFL = 3;
    public static final int O_NONBLOCK = 0x800;
    public static final long SIOCINQ = 0x541B;
    public static final long SIOCOUTQ = 0x5411;
    /** TCP_INFO tcpi_options bits. */
    public static final int TCPI_OPT_TIMESTAMPS = 1;
    public static final int TCPI_OPT_SACK = 2;
    public static final int TCPI_OPT_WSCALE = 4;
    /** Largest value setsockopt(TCP_MAXSEG) accepts (MAX_TCP_WINDOW). */
    public static final int MAX_USER_MSS = 32767;
    /** The MSS TCP assumes when none was announced. */
    public static final int DEFAULT_MSS = 536;

    private static final int SOCKADDR_IN_LEN = 16;

    private TcpRepair() {
    }

    private static final class Holder {
        static final LibC C = new DirectLibC();
    }

    /** The libc binding (loaded on first use). */
    public static LibC libc() {
        return Holder.C;
    }

    /**
     * Recreates a connection in repair mode and leaves repair mode without a window probe, so
     * nothing is sent until the application writes (or the peer sends). Order, as measured:
     * repair on; send-queue seq; receive-queue seq; TCP_TIMESTAMP; TCP_MAXSEG; bind; connect
     * (no SYN in repair mode); data into the receive queue; TCP_REPAIR_OPTIONS; TCP_REPAIR_WINDOW;
     * TCP_REPAIR_OFF_NO_WP; SO_REUSEADDR.
     *
     * @return the socket's file descriptor (blocking mode, close-on-exec)
     * @throws RepairException naming the failed step; the half-made socket is closed silently
     */
    public static int restore(RepairParams p) throws RepairException {
        return restore(p, false);
    }

    /**
     * As {@link #restore(RepairParams)}; with {@code nonBlocking}, the socket is made with
     * O_NONBLOCK, as Netty needs to adopt it. None of the steps waits (a connect in repair mode
     * sends nothing, and data goes straight into the receive queue), and each system call spared
     * counts here: this machine's hypervisor takes every one.
     */
    public static int restore(RepairParams p, boolean nonBlocking) throws RepairException {
        LibC c = libc();
        int fd;
        try {
            fd = c.socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonBlocking ? SOCK_NONBLOCK : 0), 0);
        } catch (LastErrorException e) {
            throw fail("socket", e);
        }
        boolean ok = false;
        try {
            setInt(fd, SOL_TCP, TCP_REPAIR, TCP_REPAIR_ON, "TCP_REPAIR=1");
            setInt(fd, SOL_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE, "TCP_REPAIR_QUEUE=TCP_SEND_QUEUE");
            setInt(fd, SOL_TCP, TCP_QUEUE_SEQ, p.sendSeq(), "TCP_QUEUE_SEQ(send)=" + Integer.toUnsignedString(p.sendSeq()));
            setInt(fd, SOL_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE, "TCP_REPAIR_QUEUE=TCP_RECV_QUEUE");
            setInt(fd, SOL_TCP, TCP_QUEUE_SEQ, p.recvSeq(), "TCP_QUEUE_SEQ(recv)=" + Integer.toUnsignedString(p.recvSeq()));
            if (p.timestamps()) {
                // Since Linux 6.7 the low bit asks for microsecond timestamps, and the offset is
                // then taken from the microsecond clock; connect() below resets the socket to
                // milliseconds, which would shift the clock by the difference of the two. An even
                // value, rounded up so the client never sees the clock go back, avoids that.
                int ts = p.tsVal() + (p.tsVal() & 1);
                setInt(fd, SOL_TCP, TCP_TIMESTAMP, ts, "TCP_TIMESTAMP=" + Integer.toUnsignedString(ts));
            }
            // No SO_REUSEADDR here: TCP_REPAIR=1 already lets the bind ignore port conflicts
            // (sk_reuse = SK_FORCE_REUSE), and setting SO_REUSEADDR before the bind would lower that
            // to SK_CAN_REUSE, so a bind to the address nginx listens on fails with EADDRINUSE (nat
            // mode). It is set once repair mode is off, below.
            // connect() in repair mode computes the send MSS from mss_clamp, which is still the
            // default 536 then (TCPOPT_MSS below only changes the clamp, not the cached MSS).
            // A TCP_MAXSEG set before connect becomes the clamp connect uses.
            int userMss = Math.min(p.mss() > 0 ? p.mss() : DEFAULT_MSS, MAX_USER_MSS);
            setInt(fd, SOL_TCP, TCP_MAXSEG, userMss, "TCP_MAXSEG=" + userMss);
            String local = Ipv4.toString(p.localIpv4()) + ":" + p.localPort();
            String remote = Ipv4.toString(p.remoteIpv4()) + ":" + p.remotePort();
            try {
                c.bind(fd, sockaddrIn(p.localIpv4(), p.localPort()), SOCKADDR_IN_LEN);
            } catch (LastErrorException e) {
                throw fail("bind(" + local + ")", e);
            }
            try {
                c.connect(fd, sockaddrIn(p.remoteIpv4(), p.remotePort()), SOCKADDR_IN_LEN);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EADDRNOTAVAIL) {
                    throw fail("connect(" + remote + ") in repair mode", e);
                }
                // This host still has a socket of the same four-tuple (a client reused its port):
                // which one decides what may be done about it.
                SocketDiag.Held holder = SocketDiag.findQuietly(p.localIpv4(), p.localPort(), p.remoteIpv4(), p.remotePort());
                throw new RepairException("connect(" + remote + ") in repair mode failed: " + describeErrno(EADDRNOTAVAIL)
                        + (holder != null ? ": held by a socket in " + holder + " here" : ""), EADDRNOTAVAIL, holder);
            }
            byte[] data = p.data();
            int off = 0;
            while (off < data.length) {
                byte[] chunk = off == 0 ? data : Arrays.copyOfRange(data, off, data.length);
                long n;
                try {
                    n = c.send(fd, chunk, chunk.length, 0);
                } catch (LastErrorException e) {
                    throw fail("send(" + chunk.length + " bytes) into the receive queue", e);
                }
                if (n <= 0) {
                    throw new RepairException("send into the receive queue returned " + n, 0);
                }
                off += (int) n;
            }
            setBytes(fd, SOL_TCP, TCP_REPAIR_OPTIONS, repairOptions(p), "TCP_REPAIR_OPTIONS");
            int end = p.recvSeq() + data.length;
            ByteBuffer w = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
            w.putInt(end).putInt(p.sndWnd()).putInt(p.sndWnd()).putInt(p.rcvWnd()).putInt(end);
            setBytes(fd, SOL_TCP, TCP_REPAIR_WINDOW, w.array(), "TCP_REPAIR_WINDOW");
            setInt(fd, SOL_TCP, TCP_REPAIR_QUEUE, TCP_NO_QUEUE, "TCP_REPAIR_QUEUE=TCP_NO_QUEUE");
            setInt(fd, SOL_TCP, TCP_REPAIR, TCP_REPAIR_OFF_NO_WP, "TCP_REPAIR=TCP_REPAIR_OFF_NO_WP");
            // Leaving repair mode clears the socket's address reuse (SK_NO_REUSE). Without it, this
            // connection, and its TIME_WAIT after it, would keep a web server that listens on its
            // address and port from binding them again when it restarts, SO_REUSEADDR or not.
            setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR=1");
            ok = true;
            return fd;
        } finally {
            if (!ok) {
                closeSilently(fd);
            }
        }
    }

    /** The {@code struct tcp_repair_opt} array for TCP_REPAIR_OPTIONS. */
    static byte[] repairOptions(RepairParams p) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.nativeOrder());
        b.putInt(TCPOPT_MSS).putInt(p.mss() > 0 ? p.mss() : DEFAULT_MSS);
        if (p.sndWscale() >= 0 && p.rcvWscale() >= 0) {
            b.putInt(TCPOPT_WINDOW).putInt(p.sndWscale() | (p.rcvWscale() << 16));
        }
        if (p.sack()) {
            b.putInt(TCPOPT_SACK_PERM).putInt(0);
        }
        if (p.timestamps()) {
            b.putInt(TCPOPT_TIMESTAMP).putInt(0);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    /**
     * Puts a live socket in repair mode and reads its state. The socket stays in repair mode:
     * close it with {@link #closeSilently} (nothing is sent) or leave repair mode with {@link
     * #setRepair}.
     */
    public static FrozenSocket freeze(int fd) throws RepairException {
        setInt(fd, SOL_TCP, TCP_REPAIR, TCP_REPAIR_ON, "TCP_REPAIR=1");
        setInt(fd, SOL_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE, "TCP_REPAIR_QUEUE=TCP_SEND_QUEUE");
        int sendSeq = getInt(fd, SOL_TCP, TCP_QUEUE_SEQ, "TCP_QUEUE_SEQ(send)");
        setInt(fd, SOL_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE, "TCP_REPAIR_QUEUE=TCP_RECV_QUEUE");
        int recvSeq = getInt(fd, SOL_TCP, TCP_QUEUE_SEQ, "TCP_QUEUE_SEQ(recv)");
        setInt(fd, SOL_TCP, TCP_REPAIR_QUEUE, TCP_NO_QUEUE, "TCP_REPAIR_QUEUE=TCP_NO_QUEUE");
        ByteBuffer w = ByteBuffer.wrap(getBytes(fd, SOL_TCP, TCP_REPAIR_WINDOW, 20, "TCP_REPAIR_WINDOW"))
                .order(ByteOrder.nativeOrder());
        int tsVal = getInt(fd, SOL_TCP, TCP_TIMESTAMP, "TCP_TIMESTAMP");
        int mss = getInt(fd, SOL_TCP, TCP_MAXSEG, "TCP_MAXSEG");
        byte[] info = getBytes(fd, SOL_TCP, TCP_INFO, 104, "TCP_INFO");
        int options = info[5] & 0xff;
        boolean wscale = (options & TCPI_OPT_WSCALE) != 0;
        int sndWscale = wscale ? info[6] & 0x0f : -1;
        int rcvWscale = wscale ? (info[6] >>> 4) & 0x0f : -1;
        int inq = ioctlInt(fd, SIOCINQ, "SIOCINQ");
        int outq = ioctlInt(fd, SIOCOUTQ, "SIOCOUTQ");
        byte[] local = name(fd, true);
        byte[] remote = name(fd, false);
        return new FrozenSocket(addrOf(local), portOf(local), addrOf(remote), portOf(remote), sendSeq, recvSeq,
                w.getInt(0), w.getInt(4), w.getInt(8), w.getInt(12), w.getInt(16), tsVal, mss,
                (options & TCPI_OPT_TIMESTAMPS) != 0, (options & TCPI_OPT_SACK) != 0, wscale, sndWscale, rcvWscale,
                inq, outq);
    }

    /** TCP_REPAIR = mode ({@link #TCP_REPAIR_ON}, {@link #TCP_REPAIR_OFF}, {@link #TCP_REPAIR_OFF_NO_WP}). */
    public static void setRepair(int fd, int mode) throws RepairException {
        setInt(fd, SOL_TCP, TCP_REPAIR, mode, "TCP_REPAIR=" + mode);
    }

    /**
     * Puts the socket in repair mode and closes it: no FIN, no RST leaves. Never throws.
     *
     * @return true if repair mode was set (false: closed anyway, maybe not silently)
     */
    public static boolean closeSilently(int fd) {
        if (fd < 0) {
            return false;
        }
        boolean silent = true;
        try {
            libc().setsockopt(fd, SOL_TCP, TCP_REPAIR, intBytes(TCP_REPAIR_ON), 4);
        } catch (LastErrorException e) {
            silent = false;
        }
        try {
            libc().close(fd);
        } catch (LastErrorException e) {
            // nothing more to do: the descriptor is released by the kernel in any case
        }
        return silent;
    }

    /** Whether O_NONBLOCK is set. */
    public static boolean isNonBlocking(int fd) throws RepairException {
        try {
            return (libc().fcntl(fd, F_GETFL, 0) & O_NONBLOCK) != 0;
        } catch (LastErrorException e) {
            throw fail("fcntl(F_GETFL)", e);
        }
    }

    /** A {@code struct sockaddr_in} for an IPv4 address and port. */
    public static byte[] sockaddrIn(int ipv4, int port) {
        ByteBuffer b = ByteBuffer.allocate(SOCKADDR_IN_LEN);
        b.order(ByteOrder.nativeOrder()).putShort((short) AF_INET);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) port).putInt(ipv4);
        return b.array();
    }

    /** The address of a {@code struct sockaddr_in}. */
    public static int addrOf(byte[] sockaddr) {
        return ByteBuffer.wrap(sockaddr).getInt(4);
    }

    /** The port of a {@code struct sockaddr_in}. */
    public static int portOf(byte[] sockaddr) {
        return ByteBuffer.wrap(sockaddr).getShort(2) & 0xffff;
    }

    private static byte[] name(int fd, boolean local) throws RepairException {
        byte[] addr = new byte[SOCKADDR_IN_LEN];
        IntByReference len = new IntByReference(SOCKADDR_IN_LEN);
        try {
            if (local) {
                libc().getsockname(fd, addr, len);
            } else {
                libc().getpeername(fd, addr, len);
            }
        } catch (LastErrorException e) {
            throw fail(local ? "getsockname" : "getpeername", e);
        }
        return addr;
    }

    private static int ioctlInt(int fd, long request, String what) throws RepairException {
        IntByReference v = new IntByReference();
        try {
            libc().ioctl(fd, request, v);
        } catch (LastErrorException e) {
            throw fail("ioctl(" + what + ")", e);
        }
        return v.getValue();
    }

    private static byte[] intBytes(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }

    private static void setInt(int fd, int level, int opt, int value, String what) throws RepairException {
        setBytes(fd, level, opt, intBytes(value), what);
    }

    private static void setBytes(int fd, int level, int opt, byte[] value, String what) throws RepairException {
        try {
            libc().setsockopt(fd, level, opt, value, value.length);
        } catch (LastErrorException e) {
            throw fail("setsockopt(" + what + ")", e);
        }
    }

    private static int getInt(int fd, int level, int opt, String what) throws RepairException {
        return ByteBuffer.wrap(getBytes(fd, level, opt, 4, what)).order(ByteOrder.nativeOrder()).getInt();
    }

    private static byte[] getBytes(int fd, int level, int opt, int size, String what) throws RepairException {
        byte[] b = new byte[size];
        IntByReference len = new IntByReference(size);
        try {
            libc().getsockopt(fd, level, opt, b, len);
        } catch (LastErrorException e) {
            throw fail("getsockopt(" + what + ")", e);
        }
        return b;
    }

    private static RepairException fail(String call, LastErrorException e) {
        int errno = e.getErrorCode();
        return new RepairException(call + " failed: " + describeErrno(errno), errno);
    }

    /** "errno N (NAME: what it means here)". */
    static String describeErrno(int errno) {
        return "errno " + errno + " (" + strerror(errno) + ")";
    }

    private static String strerror(int errno) {
        switch (errno) {
            case 1: return "EPERM: needs CAP_NET_ADMIN, or not in repair mode";
            case 2: return "ENOENT";
            case 9: return "EBADF";
            case 13: return "EACCES";
            case 22: return "EINVAL";
            case 95: return "EOPNOTSUPP";
            case 98: return "EADDRINUSE";
            case EADDRNOTAVAIL: return "EADDRNOTAVAIL: not an address of this host, or a four-tuple in use";
            case 106: return "EISCONN";
            case 111: return "ECONNREFUSED";
            default: return "see errno(3)";
        }
    }
}
