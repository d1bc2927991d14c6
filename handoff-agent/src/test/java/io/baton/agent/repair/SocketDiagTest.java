package io.baton.agent.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * One socket found and destroyed by its four-tuple through sock_diag, on real loopback
 * connections. The server's sockets are IPv4 ones, as the agent's are.
 */
class SocketDiagTest {
    private static final int LOOPBACK = 0x7F000001;
    private static final int ESTABLISHED = 1;
    private static final int FIN_WAIT1 = 4;
    private static final int TIME_WAIT = 6;

    @Test
    void findsASocketAProcessHolds() throws Exception {
        RawSockets.withLoopbackClient((listenFd, client) -> {
            int server = RawSockets.accept(listenFd);
            try {
                SocketDiag.Held held = SocketDiag.find(LOOPBACK, RawSockets.localPort(listenFd),
                        LOOPBACK, client.getLocalPort());
                assertNotNull(held, "the accepted socket");
                assertEquals(ESTABLISHED, held.state(), held.toString());
                assertFalse(held.orphaned(), "this process holds it: " + held);
                assertTrue(held.toString().startsWith("ESTABLISHED, a process's (inode "), held.toString());
            } finally {
                RawSockets.close(server);
            }
        });
    }

    /**
     * The kernel's lookup falls back to the listener of the local address: neither the find nor
     * a destroy whose socket is gone may take it for the four-tuple's.
     */
    @Test
    void neverTakesTheListenerForTheFourTuplesSocket() throws Exception {
        RawSockets.withLoopbackClient((listenFd, client) -> {
            int port = RawSockets.localPort(listenFd);
            int other = client.getLocalPort() == 65535 ? 65534 : client.getLocalPort() + 1;
            assertNull(SocketDiag.find(LOOPBACK, port, LOOPBACK, other));
            SocketDiag.Held gone = new SocketDiag.Held(FIN_WAIT1, 0, 12345);
            assertFalse(SocketDiag.destroy(gone, LOOPBACK, port, LOOPBACK, other));
            try (Socket again = new Socket("127.0.0.1", port)) {
                assertTrue(again.isConnected(), "the listener still takes connections");
            }
        });
    }

    /**
     * A server's socket whose FIN is stuck behind data its client does not take, held by no
     * process: found, destroyed (the client gets a reset), gone; the listener stays.
     */
    @Test
    void destroysAnOrphanWhoseFinIsStuck() throws Exception {
        RawSockets.withLoopbackClient((listenFd, client) -> {
            int port = RawSockets.localPort(listenFd);
            assertTrue(RawSockets.closeWithFinStuck(RawSockets.accept(listenFd)) > 0);
            SocketDiag.Held held = await(port, client.getLocalPort(), h -> h.state() == FIN_WAIT1);
            assertEquals("FIN_WAIT1, no process's", held.toString());

            assertTrue(SocketDiag.destroy(held, LOOPBACK, port, LOOPBACK, client.getLocalPort()));
            assertNull(SocketDiag.find(LOOPBACK, port, LOOPBACK, client.getLocalPort()), "gone");
            assertFalse(SocketDiag.destroy(held, LOOPBACK, port, LOOPBACK, client.getLocalPort()),
                    "nothing left to destroy");
            InputStream in = client.getInputStream();
            assertThrows(IOException.class, () -> {
                while (in.read(new byte[1 << 16]) >= 0) {
                    // what was delivered before the reset
                }
            }, "the client learns of the end by a reset");
            try (Socket again = new Socket("127.0.0.1", port)) {
                assertTrue(again.isConnected(), "the listener still takes connections");
            }
        });
    }

    /** The side that closes first keeps the four-tuple in TIME_WAIT, as a server that answers and closes does. */
    @Test
    void findsARealTimeWait() throws Exception {
        RawSockets.withLoopbackClient((listenFd, client) -> {
            int port = RawSockets.localPort(listenFd);
            RawSockets.close(RawSockets.accept(listenFd)); // the server's FIN first
            InputStream in = client.getInputStream();
            assertEquals(-1, in.read(), "the client sees the server's FIN");
            client.close();
            SocketDiag.Held held = await(port, client.getLocalPort(), h -> h.state() == TIME_WAIT);
            assertTrue(held.orphaned(), held.toString());
        });
    }

    private static SocketDiag.Held await(int serverPort, int clientPort, Predicate<SocketDiag.Held> wanted)
            throws Exception {
        SocketDiag.Held held = null;
        for (int i = 0; i < 200 && (held == null || !wanted.test(held)); i++) {
            Thread.sleep(10);
            held = SocketDiag.find(LOOPBACK, serverPort, LOOPBACK, clientPort);
        }
        assertNotNull(held, "the server's side of the connection");
        assertTrue(wanted.test(held), "the server's side of the connection: " + held);
        return held;
    }
}
