package io.baton.agent.repair;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import io.baton.handoff.protocol.HandoffRequest;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** TCP repair on loopback: freeze a live connection, recreate it, keep talking over the same client socket. */
class TcpRepairTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void freezeAndRestoreKeepTheClientConnectionAlive() throws Exception {
        int listenFd = RawSockets.listenLoopback();
        int port = RawSockets.localPort(listenFd);
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(5000);
            int server = RawSockets.accept(listenFd);
            client.getOutputStream().write(ascii("hello "));
            byte[] first = RawSockets.readFully(server, 6);
            RawSockets.writeFully(server, ascii("ack1"));
            assertArrayEquals(ascii("ack1"), client.getInputStream().readNBytes(4));
            Thread.sleep(50); // let the ACK of ack1 arrive so the send queue is empty

            FrozenSocket f = TcpRepair.freeze(server);
            assertEquals(0, f.recvQueueBytes());
            assertEquals(0, f.sendQueueBytes());
            assertEquals(port, f.localPort());
            assertEquals(client.getLocalPort(), f.remotePort());
            assertTrue(f.timestamps());
            assertTrue(f.sack());
            assertTrue(f.windowScaling());
            assertTrue(TcpRepair.closeSilently(server));
            RawSockets.close(listenFd);

            HandoffRequest req = f.toRequest(1, first);
            int fd = TcpRepair.restore(RepairParams.of(req));
            try {
                assertFalse(TcpRepair.isNonBlocking(fd));
                // Send MSS: the clamp less the 12 bytes of the timestamp option (not the default 536).
                int mss = RawSockets.getIntOpt(fd, TcpRepair.SOL_TCP, TcpRepair.TCP_MAXSEG);
                assertEquals(Math.min(f.mss(), TcpRepair.MAX_USER_MSS) - 12, mss);
                // The injected bytes come first, then what the client sends now.
                client.getOutputStream().write(ascii("world"));
                assertArrayEquals(ascii("hello world"), RawSockets.readFully(fd, 11));
                // The restored socket can answer on the same connection.
                byte[] big = new byte[3 * 1024 * 1024];
                new java.util.Random(1).nextBytes(big);
                Thread writer = new Thread(() -> RawSockets.writeFully(fd, big));
                writer.start();
                assertArrayEquals(big, client.getInputStream().readNBytes(big.length));
                writer.join();
                FrozenSocket again = TcpRepair.freeze(fd);
                assertTrue(again.timestamps() && again.sack() && again.windowScaling(), again.toString());
                assertEquals(f.sndWscale(), again.sndWscale());
                assertEquals(f.rcvWscale(), again.rcvWscale());
                assertTrue(Integer.compareUnsigned(again.tsVal(), f.tsVal()) >= 0, "timestamp clock continued");
                assertEquals(f.sendSeq() + 4 - 4 + big.length, again.sendSeq(), "send sequence continued");
                assertEquals(f.recvSeq() + 5, again.recvSeq(), "receive sequence continued");
            } finally {
                TcpRepair.closeSilently(fd);
            }
            // Closed in repair mode: the client saw neither FIN nor RST.
            client.setSoTimeout(300);
            InputStream in = client.getInputStream();
            assertThrows(SocketTimeoutException.class, in::read);
        }
    }

    /**
     * In nat mode the recreated socket binds the address and port the local web server listens
     * on. Repair mode must let that bind through (a SO_REUSEADDR set after TCP_REPAIR once broke
     * it with EADDRINUSE).
     */
    @Test
    void restoreBindsBesideALiveListenerOnTheSameAddressAndPort() throws Exception {
        RawSockets.withLoopbackClient((listenFd, client) -> {
            FrozenSocket f = acceptReadAndFreeze(listenFd, client, ascii("GET"));
            int fd = TcpRepair.restore(RepairParams.of(f.toRequest(2, ascii("GET")))); // the listener stays open
            try {
                client.getOutputStream().write(ascii(" /"));
                assertArrayEquals(ascii("GET /"), RawSockets.readFully(fd, 5));
                RawSockets.writeFully(fd, ascii("ok"));
                assertArrayEquals(ascii("ok"), client.getInputStream().readNBytes(2));
            } finally {
                TcpRepair.closeSilently(fd);
            }
        });
    }

    /**
     * A four-tuple this host still holds (a client reused its port while the previous connection
     * lives on here) cannot be rebuilt; the error says in which state the holder is.
     */
    @Test
    void aFourTupleStillHeldIsRefusedWithTheHoldersState() throws Exception {
        RawSockets.withLoopbackClient((listenFd, client) -> {
            int server = RawSockets.accept(listenFd);
            try {
                FrozenSocket f = TcpRepair.freeze(server); // frozen, and still there
                RepairException e = assertThrows(RepairException.class,
                        () -> TcpRepair.restore(RepairParams.of(f.toRequest(4, new byte[0])), true));
                assertEquals(99, e.errno(), e.getMessage());
                assertTrue(e.getMessage().contains("held by a socket in ESTABLISHED, a process's (inode "),
                        e.getMessage());
                assertNotNull(e.holder());
                assertFalse(e.holder().orphaned());
            } finally {
                TcpRepair.closeSilently(server);
            }
        });
    }

    /**
     * Accepts {@code client}'s connection on {@code listenFd}, reads {@code sent} once the client
     * wrote it, then freezes the server side and closes it without a trace.
     */
    private static FrozenSocket acceptReadAndFreeze(int listenFd, Socket client, byte[] sent) throws Exception {
        int server = RawSockets.accept(listenFd);
        client.getOutputStream().write(sent);
        assertArrayEquals(sent, RawSockets.readFully(server, sent.length));
        FrozenSocket f = TcpRepair.freeze(server);
        assertTrue(TcpRepair.closeSilently(server));
        return f;
    }

    /**
     * The web server that listens on the address a rebuilt socket is bound to (the server's own in
     * nat mode; every address, if it listens on them all) can start again while that connection
     * lives, and after it while its TIME_WAIT lasts. Leaving repair mode clears the socket's
     * address reuse, and a listener's bind then failed with EADDRINUSE for as long as either
     * lasted: in Mininet, nginx restarted within a minute of connections whose web server had
     * closed first could not bind its port, and exited.
     */
    @Test
    void theWebServerCanListenAgainBesideARebuiltSocketAndItsTimeWait() throws Exception {
        int listenFd = RawSockets.listenLoopback();
        int port = RawSockets.localPort(listenFd);
        int fd = -1;
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(5000);
            FrozenSocket f = acceptReadAndFreeze(listenFd, client, ascii("GET"));
            fd = TcpRepair.restore(RepairParams.of(f.toRequest(4, ascii("GET"))));
            RawSockets.close(listenFd); // the web server stops
            listenFd = -1;
            assertAListenerBinds(port, "beside the live connection");

            assertArrayEquals(ascii("GET"), RawSockets.readFully(fd, 3)); // else the close is a reset
            TcpRepair.libc().close(fd); // the agent closes first (the web server did)
            fd = -1;
            assertEquals(-1, client.getInputStream().read(), "the client sees the close");
            int clientPort = client.getLocalPort();
            client.close();
            long deadline = System.nanoTime() + 2_000_000_000L;
            SocketDiag.Held held;
            while ((held = SocketDiag.find(0x7f000001, port, 0x7f000001, clientPort)) == null
                    || !held.stateName().equals("TIME_WAIT")) {
                assertTrue(System.nanoTime() < deadline, "the rebuilt socket's four-tuple in TIME_WAIT: " + held);
                Thread.sleep(10);
            }
            assertAListenerBinds(port, "beside its TIME_WAIT");
        } finally {
            if (fd >= 0) {
                TcpRepair.closeSilently(fd);
            }
            if (listenFd >= 0) {
                RawSockets.close(listenFd);
            }
        }
    }

    /** A web server's listener on 127.0.0.1:port, with SO_REUSEADDR as nginx sets it, binds and listens. */
    private static void assertAListenerBinds(int port, String when) {
        LibC c = TcpRepair.libc();
        int l = c.socket(TcpRepair.AF_INET, TcpRepair.SOCK_STREAM | TcpRepair.SOCK_CLOEXEC, 0);
        try {
            c.setsockopt(l, TcpRepair.SOL_SOCKET, TcpRepair.SO_REUSEADDR, new byte[] {1, 0, 0, 0}, 4);
            c.bind(l, TcpRepair.sockaddrIn(0x7f000001, port), 16);
            c.listen(l, 16);
        } catch (LastErrorException e) {
            throw new AssertionError("a web server cannot listen on port " + port + " " + when + ": "
                    + TcpRepair.describeErrno(e.getErrorCode()), e);
        } finally {
            c.close(l);
        }
    }

    /** Asked for, the socket comes back non-blocking and working (the agent hands it to Netty as is). */
    @Test
    void restoreCanMakeTheSocketNonBlocking() throws Exception {
        RawSockets.withLoopbackClient((listenFd, client) -> {
            FrozenSocket f = acceptReadAndFreeze(listenFd, client, ascii("GET"));
            int fd = TcpRepair.restore(RepairParams.of(f.toRequest(3, ascii("GET"))), true);
            try {
                assertTrue(TcpRepair.isNonBlocking(fd));
                assertArrayEquals(ascii("GET"), RawSockets.readFully(fd, 3), "the injected bytes");
                LastErrorException empty = assertThrows(LastErrorException.class,
                        () -> TcpRepair.libc().recv(fd, new byte[8], 8, 0));
                assertEquals(11, empty.getErrorCode(), "EAGAIN: nothing more, and the call did not wait");
                RawSockets.writeFully(fd, ascii("ok"));
                assertArrayEquals(ascii("ok"), client.getInputStream().readNBytes(2));
            } finally {
                TcpRepair.closeSilently(fd);
            }
        });
    }

    /**
     * The restored socket's timestamp clock continues from the value asked for, odd or even. Since
     * Linux 6.7 the low bit of a TCP_TIMESTAMP value asks for microsecond timestamps, and the
     * repair-mode connect() switches back to milliseconds, so an odd value once shifted the clock
     * by the difference of the two clocks (a jump that PAWS may take for an old segment).
     */
    @Test
    void theTimestampClockContinuesFromTheValueAskedForEvenWhenOdd() throws Exception {
        for (int asked : new int[] {0x12345679, 0x1234567a, 0xfffffff1}) {
            int listenFd = RawSockets.listenLoopback();
            int port = RawSockets.localPort(listenFd);
            try (Socket client = new Socket("127.0.0.1", port)) {
                int server = RawSockets.accept(listenFd);
                FrozenSocket f = TcpRepair.freeze(server);
                assertTrue(TcpRepair.closeSilently(server));
                RawSockets.close(listenFd);
                HandoffRequest req = f.toRequest(3, new byte[0]).toBuilder().tsVal(asked).build();
                int fd = TcpRepair.restore(RepairParams.of(req));
                try {
                    int now = TcpRepair.freeze(fd).tsVal();
                    int ahead = now - asked;
                    assertTrue(ahead >= 0 && ahead < 5000, "asked for " + Integer.toUnsignedString(asked)
                            + ", the clock shows " + Integer.toUnsignedString(now));
                } finally {
                    TcpRepair.closeSilently(fd);
                }
            }
        }
    }

    @Test
    void restoreNamesTheFailedStep() {
        HandoffRequest bad = HandoffRequest.builder().handoffId(1).clientIpv4(0x7f000001).clientPort(9)
                .localIpv4(0xc0000201 /* 192.0.2.1, not ours */).localPort(80).build();
        RepairException e = assertThrows(RepairException.class, () -> TcpRepair.restore(RepairParams.of(bad)));
        assertTrue(e.getMessage().startsWith("bind(192.0.2.1:80)"), e.getMessage());
        assertEquals(99, e.errno());
    }

    @Test
    void repairOptionsEncodeWindowScalesAsSndOrRcvShifted() {
        HandoffRequest r = HandoffRequest.builder().mss(1460).sndWscale(7).rcvWscale(9).sack(true).timestamps(true).build();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(TcpRepair.repairOptions(RepairParams.of(r)))
                .order(java.nio.ByteOrder.nativeOrder());
        assertEquals(32, b.remaining());
        assertEquals(TcpRepair.TCPOPT_MSS, b.getInt());
        assertEquals(1460, b.getInt());
        assertEquals(TcpRepair.TCPOPT_WINDOW, b.getInt());
        assertEquals(7 | (9 << 16), b.getInt());
        assertEquals(TcpRepair.TCPOPT_SACK_PERM, b.getInt());
        assertEquals(0, b.getInt());
        assertEquals(TcpRepair.TCPOPT_TIMESTAMP, b.getInt());
        HandoffRequest plain = HandoffRequest.builder().mss(0).sndWscale(7).rcvWscale(-1).build();
        java.nio.ByteBuffer p = java.nio.ByteBuffer.wrap(TcpRepair.repairOptions(RepairParams.of(plain)))
                .order(java.nio.ByteOrder.nativeOrder());
        assertEquals(8, p.remaining(), "only MSS when window scaling was not negotiated by both");
        assertEquals(TcpRepair.TCPOPT_MSS, p.getInt());
        assertEquals(TcpRepair.DEFAULT_MSS, p.getInt());
    }

    @Test
    void aFailedCallThrowsWithItsErrno() {
        com.sun.jna.LastErrorException e = assertThrows(com.sun.jna.LastErrorException.class,
                () -> TcpRepair.libc().close(-1));
        assertEquals(9, e.getErrorCode(), "EBADF");
        assertThrows(com.sun.jna.LastErrorException.class,
                () -> TcpRepair.libc().setsockopt(-1, TcpRepair.SOL_TCP, 1, new byte[4], 4));
    }
}
