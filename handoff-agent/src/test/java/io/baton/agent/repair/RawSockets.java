package io.baton.agent.repair;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.net.Socket;
import java.util.Arrays;

/** Plain sockets by file descriptor, for tests that need an fd to freeze. */
public final class RawSockets {

    private RawSockets() {
    }

    /** A listening socket on 127.0.0.1, kernel-chosen port. */
    public static int listenLoopback() {
        LibC c = TcpRepair.libc();
        int fd = c.socket(TcpRepair.AF_INET, TcpRepair.SOCK_STREAM | TcpRepair.SOCK_CLOEXEC, 0);
        c.bind(fd, TcpRepair.sockaddrIn(0x7f000001, 0), 16);
        c.listen(fd, 16);
        return fd;
    }

    /** What runs with a loopback listener (an IPv4 socket, as the agent's are) and one client connected to it. */
    public interface WithClient {
        void run(int listenFd, Socket client) throws Exception;
    }

    /**
     * Runs {@code body} with a listener on 127.0.0.1 and a client connected to it (reads time out
     * after 5 s); the listener stays open through the body, and both are closed after it.
     */
    public static void withLoopbackClient(WithClient body) throws Exception {
        int listenFd = listenLoopback();
        try (Socket client = new Socket("127.0.0.1", localPort(listenFd))) {
            client.setSoTimeout(5000);
            body.run(listenFd, client);
        } finally {
            close(listenFd);
        }
    }

    public static int localPort(int fd) {
        byte[] a = new byte[16];
        TcpRepair.libc().getsockname(fd, a, new IntByReference(16));
        return TcpRepair.portOf(a);
    }

    public static int accept(int listenFd) {
        return TcpRepair.libc().accept(listenFd, null, null);
    }

    /** Reads exactly n bytes (blocking). */
    public static byte[] readFully(int fd, int n) throws IOException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            byte[] buf = new byte[n - off];
            long got;
            try {
                got = TcpRepair.libc().recv(fd, buf, buf.length, 0);
            } catch (LastErrorException e) {
                throw new IOException("recv: errno " + e.getErrorCode());
            }
            if (got <= 0) {
                throw new IOException("recv returned " + got + " after " + off + " bytes");
            }
            System.arraycopy(buf, 0, out, off, (int) got);
            off += (int) got;
        }
        return out;
    }

    public static void writeFully(int fd, byte[] data) {
        int off = 0;
        while (off < data.length) {
            byte[] chunk = Arrays.copyOfRange(data, off, data.length);
            off += (int) TcpRepair.libc().send(fd, chunk, chunk.length, 0);
        }
    }

    public static void close(int fd) {
        TcpRepair.libc().close(fd);
    }

    /**
     * Sends on {@code fd} until the peer's receive window and this socket's send buffer are full
     * (the peer must not read), then closes it: the socket stays in FIN_WAIT1, held by no process,
     * its FIN queued behind data the peer does not take, as a server's socket does when its
     * client vanished without a trace. Returns the bytes sent.
     */
    public static long closeWithFinStuck(int fd) {
        byte[] block = new byte[64 * 1024];
        long sent = 0;
        try {
            while (sent < (256L << 20)) {
                sent += TcpRepair.libc().send(fd, block, block.length, 0x40 /* MSG_DONTWAIT */);
            }
            throw new AssertionError("the peer took " + sent + " bytes without reading");
        } catch (LastErrorException e) {
            if (e.getErrorCode() != 11 /* EAGAIN */) {
                throw e;
            }
        }
        close(fd);
        return sent;
    }

    public static int getIntOpt(int fd, int level, int opt) {
        byte[] b = new byte[4];
        TcpRepair.libc().getsockopt(fd, level, opt, b, new IntByReference(4));
        return java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).getInt();
    }
}
