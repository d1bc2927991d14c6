package io.baton.agent.repair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What holds a four-tuple, from /proc/net/tcp: said when a rebuilt socket cannot take it. */
class SocketTableTest {
    private static final int LOOPBACK = 0x7F000001;
    private static final int SERVER = 0x0A00000B; // 10.0.0.11
    private static final int CLIENT = 0x0A000001; // 10.0.0.1

    @Test
    void writesAddressesAsTheKernelDoes() {
        assertEquals("0100007F:0050", SocketTable.address(LOOPBACK, 80));
        assertEquals("0B00000A:0050", SocketTable.address(SERVER, 80));
    }

    @Test
    void namesTheStatesOfTheSocketsOfThatFourTupleOnly(@TempDir Path dir) throws Exception {
        Path table = dir.resolve("tcp");
        Files.writeString(table, String.join("\n",
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0B00000A:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1",
                "   1: 0B00000A:0050 0100000A:A982 06 00000000:00000000 03:00000F9C 00000000     0        0 0",
                "   2: 0B00000A:0050 0100000A:A983 01 00000000:00000000 00:00000000 00000000     0        0 2",
                "   3: 0B00000A:0050 0100000A:A982 09 00000000:00000000 01:00000014 00000001     0        0 3",
                ""));
        assertEquals(": held by a socket in TIME_WAIT, LAST_ACK here",
                SocketTable.describe(table, SERVER, 80, CLIENT, 0xA982));
        assertEquals("", SocketTable.describe(table, SERVER, 80, CLIENT, 0xA984), "no such socket");
        assertEquals("", SocketTable.describe(dir.resolve("missing"), SERVER, 80, CLIENT, 0xA982),
                "no table: nothing to add");
    }

    /**
     * The side that closes first keeps the four-tuple in TIME_WAIT, as a server that answers and
     * closes does. The server's sockets are IPv4 ones, as the agent's are (Java's own are IPv6 and
     * listed in /proc/net/tcp6).
     */
    @Test
    void findsARealTimeWait() throws Exception {
        RawSockets.withLoopbackClient((listenFd, client) -> {
            int server = RawSockets.accept(listenFd);
            RawSockets.close(server); // the server's FIN first
            InputStream in = client.getInputStream();
            assertEquals(-1, in.read(), "the client sees the server's FIN");
            client.close();
            int port = RawSockets.localPort(listenFd);
            String held = "";
            for (int i = 0; i < 100 && !held.contains("TIME_WAIT"); i++) {
                Thread.sleep(10);
                held = SocketTable.describe(LOOPBACK, port, LOOPBACK, client.getLocalPort());
            }
            assertTrue(held.contains("TIME_WAIT"), "the server's side of the closed connection: '" + held + "'");
        });
    }
}
