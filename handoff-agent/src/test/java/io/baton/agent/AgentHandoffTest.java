package io.baton.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.agent.relay.ProxyHeader;
import io.baton.agent.repair.FrozenSocket;
import io.baton.agent.repair.RawSockets;
import io.baton.agent.repair.SocketDiag;
import io.baton.agent.repair.TcpRepair;
import io.baton.handoff.protocol.CloseReason;
import io.baton.handoff.protocol.ConnectionClosed;
import io.baton.handoff.protocol.DropReason;
import io.baton.handoff.protocol.HandoffAbort;
import io.baton.handoff.protocol.HandoffCommit;
import io.baton.handoff.protocol.HandoffDrop;
import io.baton.handoff.protocol.HandoffReady;
import io.baton.handoff.protocol.HandoffRequest;
import io.baton.handoff.protocol.LiveConnections;
import io.baton.handoff.protocol.Hello;
import io.baton.handoff.protocol.Ipv4;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The handoff end to end on loopback, with real sockets and no mocks. The test plays the
 * controller: it accepts a client connection itself, reads the first part of the request,
 * freezes the accepted socket with TCP repair and closes it silently, then hands the connection
 * to the agent, which recreates it and relays to a tiny web server, while the client keeps using
 * its original socket.
 */
@Timeout(60)
class AgentHandoffTest {

    private static final byte[] SECRET = "test-secret-0123456789".getBytes(StandardCharsets.UTF_8);
    private static final int LOOPBACK = Ipv4.parse("127.0.0.1");
    private static final int BULK = 5 * 1024 * 1024;
    private static final byte[] PART1 = ascii("GET /x HTTP/1.1\r\nHost: t\r\n");
    private static final byte[] PART2 = ascii("\r\n");

    @TempDir
    Path dir;

    private final List<Agent> agents = new ArrayList<>();

    @AfterEach
    void stopAgents() {
        agents.forEach(Agent::close);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private Path secretFile(byte[] secret) throws IOException {
        Path p = Files.createTempFile(dir, "secret", "");
        Files.write(p, secret);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    private Agent agent(int controllerPort, int upstreamPort, byte[] secret, String... extra) throws Exception {
        List<String> a = new ArrayList<>(List.of("--controller", "127.0.0.1:" + controllerPort,
                "--upstream", "127.0.0.1:" + upstreamPort, "--secret-file", secretFile(secret).toString(),
                "--server-ip", "127.0.0.1", "--threads", "2"));
        a.addAll(Arrays.asList(extra));
        Agent agent = Main.launch(a.toArray(new String[0]));
        agents.add(agent);
        return agent;
    }

    /** A client connection accepted, partly read and frozen by "the controller" (this test). */
    record Prepared(Socket client, int port, FrozenSocket frozen, byte[] alreadyRead) implements AutoCloseable {
        HandoffRequest request(long id) {
            return frozen.toRequest(id, alreadyRead);
        }

        @Override
        public void close() throws IOException {
            client.close();
        }
    }

    private static Prepared prepare(byte[] firstPart) throws Exception {
        int listenFd = RawSockets.listenLoopback();
        int port = RawSockets.localPort(listenFd);
        Socket client = new Socket("127.0.0.1", port);
        client.setSoTimeout(15000);
        client.setTcpNoDelay(true);
        int accepted = RawSockets.accept(listenFd);
        // ACK at once, so the client has nothing unacknowledged to retransmit while no socket exists.
        TcpRepair.libc().setsockopt(accepted, TcpRepair.SOL_TCP, 12 /* TCP_QUICKACK */,
                new byte[] {1, 0, 0, 0}, 4);
        client.getOutputStream().write(firstPart);
        byte[] got = RawSockets.readFully(accepted, firstPart.length);
        FrozenSocket frozen = TcpRepair.freeze(accepted);
        assertEquals(0, frozen.recvQueueBytes());
        assertEquals(0, frozen.sendQueueBytes());
        assertTrue(TcpRepair.closeSilently(accepted));
        RawSockets.close(listenFd);
        assertEquals(0, socketsWithLocalPort(port), "the frozen socket is gone");
        return new Prepared(client, port, frozen, got);
    }

    /** /proc/net/tcp's code for TIME_WAIT. */
    private static final String TIME_WAIT = "06";

    /**
     * Sockets in /proc/net/tcp{,6} whose local port is {@code port}. TIME_WAIT entries are not
     * sockets but the kernel's memory of one that ended, possibly an earlier test's on the same
     * ephemeral port: they are not counted.
     */
    static int socketsWithLocalPort(int port) throws IOException {
        int n = 0;
        for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines = Files.readAllLines(Path.of(f));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                String local = fields[1];
                if (Integer.parseInt(local.substring(local.indexOf(':') + 1), 16) == port
                        && !fields[3].equals(TIME_WAIT)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static void assertClientSeesNothing(Socket client) throws IOException {
        int before = client.getSoTimeout();
        client.setSoTimeout(300);
        // Neither FIN (read would return -1) nor RST (read would throw "Connection reset").
        assertThrows(SocketTimeoutException.class, () -> client.getInputStream().read());
        client.setSoTimeout(before);
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    /** Checks a whole response read until EOF; returns it. */
    private static byte[] checkResponse(byte[] response, int bulk) throws Exception {
        int headEnd = indexOf(response, ascii("\r\n\r\n"));
        assertTrue(headEnd > 0, "no response head");
        String head = new String(response, 0, headEnd, StandardCharsets.US_ASCII);
        assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
        byte[] expected = TinyUpstream.body("GET /x HTTP/1.1", bulk);
        assertTrue(head.contains("Content-Length: " + expected.length), head);
        byte[] body = Arrays.copyOfRange(response, headEnd + 4, response.length);
        assertEquals(expected.length, body.length, "body length");
        assertArrayEquals(sha256(expected), sha256(body), "body checksum");
        assertTrue(new String(body, 0, 40, StandardCharsets.US_ASCII).startsWith("upstream-ok GET /x HTTP/1.1\n"));
        return response;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aWebServerConnectionOpenedAheadServesTheHandoffAndIsReplaced() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(BULK);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            agent(controller.port(), upstream.port(), SECRET, "--preconnect", "1");
            controller.awaitAuthenticated(1, 5000);
            await("one connection opened ahead", 5000, () -> upstream.connections.get() == 1);

            controller.send(p.request(43));
            assertEquals(new HandoffReady(43), controller.next(HandoffReady.class, 5000));
            await("a replacement opened", 5000, () -> upstream.connections.get() == 2);
            controller.send(new HandoffCommit(43));
            p.client().getOutputStream().write(PART2);
            checkResponse(p.client().getInputStream().readAllBytes(), BULK);
            assertEquals(1, upstream.servedOnConnection.poll(5, java.util.concurrent.TimeUnit.SECONDS),
                    "served on the connection opened before the request");
            p.client().close();
            controller.next(ConnectionClosed.class, 5000);
        }
    }

    /** The controller commits with the reverse rule's confirmation, often before the agent is ready. */
    @Test
    void aCommitThatComesBeforeTheReadyIsAppliedOnceTheSocketIsReady() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(BULK);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(44));
            controller.send(new HandoffCommit(44));
            assertEquals(new HandoffReady(44), controller.next(HandoffReady.class, 5000));
            p.client().getOutputStream().write(PART2);
            checkResponse(p.client().getInputStream().readAllBytes(), BULK);
            p.client().close();
            controller.next(ConnectionClosed.class, 5000);
        }
    }

    @Test
    void handsOffAConnectionAndRelaysABulkResponseOnTheSameClientSocket() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(BULK);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            Hello hello = controller.hellos.poll();
            assertEquals(LOOPBACK, hello.serverIpv4());
            assertEquals("default", hello.label());
            assertEquals(Hello.CAP_NAT, hello.capabilities());

            HandoffRequest request = p.request(42);
            assertEquals(PART1.length, request.dataLength());
            controller.send(request);
            assertEquals(new HandoffReady(42), controller.next(HandoffReady.class, 5000));
            assertEquals(1, agent.liveConnections());
            assertEquals(1, socketsWithLocalPort(p.port()), "the recreated socket");
            controller.send(new HandoffCommit(42));

            p.client().getOutputStream().write(PART2);
            byte[] response = checkResponse(p.client().getInputStream().readAllBytes(), BULK);
            assertEquals("GET /x HTTP/1.1\r\nHost: t\r\n\r\n",
                    upstream.requests.poll(5, java.util.concurrent.TimeUnit.SECONDS), "upstream saw the whole request");
            p.client().close();

            // The web server closed first and the client read to the end before closing: its
            // FIN acknowledged ours, so the server's side is done (TIME_WAIT): FINISHED.
            ConnectionClosed closed = controller.next(ConnectionClosed.class, 5000);
            assertEquals(new ConnectionClosed(42, PART1.length + PART2.length, response.length, CloseReason.FINISHED),
                    closed);
            await("no live connections", 5000, () -> agent.liveConnections() == 0);
            assertTrue(controller.heartbeatsFromAgent.get() > 0, "agent sends heartbeats");
            assertEquals(0, agent.protocolCounters().decodeErrors());
        }
    }

    /**
     * A client that stops reading holds the web server back: once the client's side is full the
     * relay stops reading the web server, instead of keeping the response in memory, and goes on
     * when the client reads again. What the web server gets out is bounded by the socket buffers
     * on the way (a few MiB each on loopback) and the relay's own bound (its high-water mark and
     * one read).
     */
    @Test
    void aClientThatDoesNotReadHoldsTheWebServerBack() throws Exception {
        int body = 128 * 1024 * 1024;
        try (TinyUpstream upstream = new TinyUpstream(body);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(wholeRequest())) {
            agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(61));
            assertEquals(new HandoffReady(61), controller.next(HandoffReady.class, 5000));
            controller.send(new HandoffCommit(61));
            long stalled = -1;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                long before = upstream.bulkBytesWritten.get();
                Thread.sleep(500);
                long after = upstream.bulkBytesWritten.get();
                if (after > 0 && after == before) {
                    stalled = after;
                    break;
                }
            }
            assertTrue(stalled > 0, "the web server stalled while the client read nothing: "
                    + upstream.bulkBytesWritten.get() + " bytes written");
            assertTrue(stalled < 48L * 1024 * 1024, "held back by a client that does not read: "
                    + stalled + " of " + body + " bytes out");
            checkResponse(p.client().getInputStream().readAllBytes(), body);
            p.client().close();
            assertEquals(CloseReason.FINISHED, controller.next(ConnectionClosed.class, 10_000).reason());
        }
    }

    /**
     * When a client's overlapping segments disagreed, the controller kept the bytes it received
     * first and parsed those (HostileSegmentsTest); the handoff request carries exactly them. The
     * web server must get those bytes, byte for byte, and not what the client's socket last
     * said: here the client's kernel sent PART1, while the controller's copy has another path and
     * bytes no text encoding survives, at the same sequence numbers.
     */
    @Test
    void theWebServerGetsExactlyTheRequestBytesTheControllerKept() throws Exception {
        byte[] kept = new byte[PART1.length];
        byte[] line = ascii("GET /y HTTP/1.1\r\nX: ");
        System.arraycopy(line, 0, kept, 0, line.length);
        byte[] odd = {(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80, '\r', '\n'};
        System.arraycopy(odd, 0, kept, line.length, odd.length);
        assertEquals(PART1.length, line.length + odd.length, "the same sequence numbers as what the client sent");
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            HandoffRequest request = p.frozen().toRequest(45, kept);
            controller.send(request);
            controller.next(HandoffReady.class, 5000);
            controller.send(new HandoffCommit(45));
            p.client().getOutputStream().write(PART2);
            byte[] response = p.client().getInputStream().readAllBytes();
            byte[] expected = Arrays.copyOf(request.data(), request.data().length + PART2.length);
            System.arraycopy(PART2, 0, expected, request.data().length, PART2.length);
            assertArrayEquals(expected, upstream.rawRequests.poll(5, java.util.concurrent.TimeUnit.SECONDS),
                    "the handoff request's data, then what the client sent after it");
            assertTrue(new String(response, StandardCharsets.ISO_8859_1).contains("upstream-ok GET /y HTTP/1.1\n"),
                    "the client gets the answer to the request the controller parsed");
            p.client().close();
            assertEquals(PART1.length + PART2.length, controller.next(ConnectionClosed.class, 5000).bytesFromClient());
        }
    }

    /**
     * A client may announce a zero window before the handoff (the controller counts it and hands
     * it on as sndWnd = 0). The recreated socket must then hold the response rather than send
     * into the closed window, and resume once its zero-window probe, which Linux sends no sooner
     * than TCP_RTO_MIN (200 ms) later, has learnt the client's real window. Here the client's
     * socket has room all along; only the probe can tell the server so. The same handoff with the
     * client's real window, right after, delivers at once: so the wait is the window's. Measured
     * on loopback (Linux 6.18): the zero-window one's first byte 206-218 ms after the commit, the
     * other's 4-31 ms.
     */
    @Test
    void aHandoffIntoAZeroWindowWaitsForTheClientsWindowAndThenDeliversEverything() throws Exception {
        int body = 64 * 1024;
        try (TinyUpstream upstream = new TinyUpstream(body);
             TestController controller = new TestController(SECRET);
             Prepared warm = prepare(wholeRequest());
             Prepared zero = prepare(wholeRequest());
             Prepared open = prepare(wholeRequest())) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            assertTrue(zero.frozen().sndWnd() > 0, "the client's socket has room: " + zero.frozen());
            // First a handoff with the real window, so that neither one timed below pays the warm-up:
            // a slow first handoff could otherwise pass for a wait on the window.
            handOffAndTimeTheFirstByte(controller, warm, 46, warm.frozen().sndWnd(), body, null);

            long[] heldMs = {-1};
            long zeroMs = handOffAndTimeTheFirstByte(controller, zero, 47, 0, body, heldMs);
            long openMs = handOffAndTimeTheFirstByte(controller, open, 48, open.frozen().sndWnd(), body, null);
            System.out.printf("zero-window handoff: response held in the send queue under the probe timer at %d ms,"
                    + " first byte at %d ms after the commit; real window: first byte at %d ms%n", heldMs[0], zeroMs, openMs);
            assertTrue(heldMs[0] >= 0, "the server held the response under the zero-window probe timer");
            assertTrue(zeroMs >= 150, "nothing sent into the zero window before a probe: first byte at " + zeroMs + " ms");
            assertTrue(openMs < 100, "with the real window, at once: first byte at " + openMs + " ms");
            await("no live connections", 5000, () -> agent.liveConnections() == 0);
        }
    }

    /**
     * Hands {@code p} (its whole request already read, so the client sends nothing after) off with
     * the client's window given as {@code sndWnd}, checks the response is complete and intact, and
     * returns the milliseconds from the commit to its first byte. With {@code heldMs}, watches the
     * recreated socket until the first byte and sets {@code heldMs[0]} to when it was seen holding
     * unsent bytes with the zero-window probe timer pending (-1 if never).
     */
    private static long handOffAndTimeTheFirstByte(TestController controller, Prepared p, long id, int sndWnd,
                                                   int body, long[] heldMs) throws Exception {
        controller.send(p.request(id).toBuilder().sndWnd(sndWnd).build());
        assertEquals(new HandoffReady(id), controller.next(HandoffReady.class, 5000));
        InputStream in = p.client().getInputStream();
        long committed = System.nanoTime();
        controller.send(new HandoffCommit(id));
        if (heldMs != null) {
            while (in.available() == 0 && System.nanoTime() - committed < 10_000_000_000L) {
                if (heldMs[0] < 0 && heldUnderTheProbeTimer(p.port())) {
                    heldMs[0] = (System.nanoTime() - committed) / 1_000_000;
                }
                Thread.sleep(2);
            }
        }
        int first = in.read();
        long firstByteMs = (System.nanoTime() - committed) / 1_000_000;
        assertEquals('H', first, "the response's first byte");
        byte[] rest = in.readAllBytes();
        byte[] response = new byte[1 + rest.length];
        response[0] = (byte) first;
        System.arraycopy(rest, 0, response, 1, rest.length);
        checkResponse(response, body);
        p.client().close();
        assertEquals(new ConnectionClosed(id, wholeRequest().length, response.length, CloseReason.FINISHED),
                controller.next(ConnectionClosed.class, 5000));
        return firstByteMs;
    }

    /**
     * Whether the socket bound to {@code localPort} (/proc/net/tcp) has bytes not yet acknowledged
     * (tx_queue) and the zero-window probe timer pending (tr = 4, which Linux arms only when
     * nothing is in flight).
     */
    private static boolean heldUnderTheProbeTimer(int localPort) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/tcp"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16) == localPort) {
                int txQueue = Integer.parseInt(f[4].substring(0, f[4].indexOf(':')), 16);
                int timer = Integer.parseInt(f[5].substring(0, f[5].indexOf(':')), 16);
                return txQueue > 0 && timer == 4;
            }
        }
        return false;
    }

    @Test
    void relayedConnectionSurvivesAControllerReconnect() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(BULK);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            assertEquals(new LiveConnections(List.of(), true), controller.next(LiveConnections.class, 5000),
                    "a new agent relays nothing");
            controller.send(p.request(7));
            controller.next(HandoffReady.class, 5000);
            controller.send(new HandoffCommit(7));
            Thread.sleep(100);
            controller.kickAgent();
            controller.awaitAuthenticated(2, 5000);
            // The controller counts the Hello; the agent counts on the Welcome that follows it.
            await("the agent's second authentication", 5000, () -> agent.authentications() == 2);
            // What a restarted controller rebuilds its table from.
            HandoffRequest r = p.request(7);
            assertEquals(new LiveConnections(List.of(new LiveConnections.Entry(7, r.clientIpv4(), r.clientPort(),
                    r.localIpv4(), r.localPort())), true), controller.next(LiveConnections.class, 5000));

            p.client().getOutputStream().write(PART2);
            byte[] response = checkResponse(p.client().getInputStream().readAllBytes(), BULK);
            p.client().close();
            ConnectionClosed closed = controller.next(ConnectionClosed.class, 5000);
            assertEquals(new ConnectionClosed(7, PART1.length + PART2.length, response.length, CloseReason.FINISHED),
                    closed);
        }
    }

    /**
     * The controller fails every handoff of a lost session that it had not committed with a ready
     * in hand; one the agent was still preparing must not start relaying once rebuilt (an agent
     * paused across the loss would otherwise answer a client that was reset meanwhile).
     */
    @Test
    void aHandoffNotRelayingYetEndsSilentlyWithItsControllerSession() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared ready = prepare(wholeRequest());
             Prepared relaying = prepare(PART1)) {
            // A commit timeout far beyond the test: only the session's end may close the handoff.
            Agent agent = agent(controller.port(), upstream.port(), SECRET, "--commit-timeout-ms", "30000");
            controller.awaitAuthenticated(1, 5000);
            controller.next(LiveConnections.class, 5000);
            controller.send(relaying.request(31));
            controller.next(HandoffReady.class, 5000);
            controller.send(new HandoffCommit(31));
            controller.send(ready.request(32).toBuilder().forwardBeforeCommit(true).build());
            assertEquals(new HandoffReady(32), controller.next(HandoffReady.class, 5000));
            assertEquals(2, agent.liveConnections());

            controller.kickAgent();
            await("only the relayed connection left", 5000, () -> agent.liveConnections() == 1);
            assertEquals(0, socketsWithLocalPort(ready.port()), "the socket not yet committed is gone");
            controller.awaitAuthenticated(2, 5000);
            HandoffRequest r = relaying.request(31);
            assertEquals(new LiveConnections(List.of(new LiveConnections.Entry(31, r.clientIpv4(), r.clientPort(),
                    r.localIpv4(), r.localPort())), true), controller.next(LiveConnections.class, 5000));
            controller.send(new HandoffCommit(32)); // a late commit finds nothing to start
            assertClientSeesNothing(ready.client());
            assertEquals(1, agent.liveConnections());

            relaying.client().getOutputStream().write(PART2);
            checkResponse(relaying.client().getInputStream().readAllBytes(), 1000);
        }
    }

    @Test
    void proxyProtocolHeaderCarriesTheClientAddress() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            agent(controller.port(), upstream.port(), SECRET, "--proxy-protocol", "--vip", "127.0.0.1");
            controller.awaitAuthenticated(1, 5000);
            assertEquals(Hello.CAP_NAT | Hello.CAP_DSR, controller.hellos.poll().capabilities());
            controller.send(p.request(5));
            controller.next(HandoffReady.class, 5000);
            controller.send(new HandoffCommit(5));
            p.client().getOutputStream().write(PART2);
            checkResponse(p.client().getInputStream().readAllBytes(), 1000);
            byte[] header = upstream.proxyHeaders.poll(5, java.util.concurrent.TimeUnit.SECONDS);
            assertArrayEquals(ProxyHeader.tcp4(LOOPBACK, p.client().getLocalPort(), LOOPBACK, p.port()), header);
            p.client().close();
            ConnectionClosed closed = controller.next(ConnectionClosed.class, 5000);
            assertEquals(PART1.length + PART2.length, closed.bytesFromClient(), "PROXY header is not counted");
        }
    }

    @Test
    void clientDataAndFinBeforeTheCommitFollowTheProxyHeader() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(100_000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            agent(controller.port(), upstream.port(), SECRET, "--proxy-protocol");
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(6));
            controller.next(HandoffReady.class, 5000);
            // The rest of the request and the client's FIN reach the recreated socket before the commit.
            p.client().getOutputStream().write(PART2);
            p.client().shutdownOutput();
            Thread.sleep(100);
            controller.send(new HandoffCommit(6));
            byte[] response = checkResponse(p.client().getInputStream().readAllBytes(), 100_000);
            assertEquals(1, upstream.proxyHeaders.size(), "PROXY header first");
            assertEquals("GET /x HTTP/1.1\r\nHost: t\r\n\r\n",
                    upstream.requests.poll(5, java.util.concurrent.TimeUnit.SECONDS));
            ConnectionClosed closed = controller.next(ConnectionClosed.class, 5000);
            // The client closed first: its ACK of the server's FIN is still due when the relay
            // ends (LAST_ACK), so the controller must keep its forward rule for a while.
            assertEquals(new ConnectionClosed(6, PART1.length + PART2.length, response.length, CloseReason.NORMAL),
                    closed);
        }
    }

    private static byte[] wholeRequest() {
        byte[] all = Arrays.copyOf(PART1, PART1.length + PART2.length);
        System.arraycopy(PART2, 0, all, PART1.length, PART2.length);
        return all;
    }

    /**
     * A request safe to repeat goes to the web server with the ready, before the commit; its
     * answer (small: whole, with the server's FIN; large: partly) waits for the commit, and the
     * client hears nothing before it.
     */
    @ParameterizedTest(name = "response body of {0} bytes")
    @ValueSource(ints = {1000, BULK})
    void aRequestSafeToRepeatReachesTheWebServerBeforeTheCommitAndItsAnswerWaitsForIt(int bodyBytes) throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(bodyBytes);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(wholeRequest())) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET, "--proxy-protocol");
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(20).toBuilder().forwardBeforeCommit(true).build());
            controller.next(HandoffReady.class, 5000);
            assertEquals("GET /x HTTP/1.1\r\nHost: t\r\n\r\n",
                    upstream.requests.poll(5, java.util.concurrent.TimeUnit.SECONDS), "the web server has it before the commit");
            assertArrayEquals(ProxyHeader.tcp4(LOOPBACK, p.client().getLocalPort(), LOOPBACK, p.port()),
                    upstream.proxyHeaders.poll(), "after the PROXY header");
            assertClientSeesNothing(p.client());
            controller.send(new HandoffCommit(20));
            byte[] response = checkResponse(p.client().getInputStream().readAllBytes(), bodyBytes);
            p.client().close();
            assertEquals(new ConnectionClosed(20, wholeRequest().length, response.length, CloseReason.FINISHED),
                    controller.next(ConnectionClosed.class, 5000));
            assertEquals(1, upstream.servedOnConnection.size(), "served once");
            await("no live connections", 5000, () -> agent.liveConnections() == 0);
        }
    }

    /** Without the controller's leave, the request waits for the commit. */
    @Test
    void aRequestNotMarkedSafeToRepeatReachesTheWebServerOnlyAfterTheCommit() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(wholeRequest())) {
            agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(21));
            controller.next(HandoffReady.class, 5000);
            assertNull(upstream.requests.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS), "not before the commit");
            controller.send(new HandoffCommit(21));
            checkResponse(p.client().getInputStream().readAllBytes(), 1000);
            assertEquals("GET /x HTTP/1.1\r\nHost: t\r\n\r\n", upstream.requests.poll(5, java.util.concurrent.TimeUnit.SECONDS));
            p.client().close();
            controller.next(ConnectionClosed.class, 5000);
        }
    }

    /** The web server answered, but the handoff is aborted: the client hears nothing of it. */
    @Test
    void anAbortAfterTheRequestWentEarlyLeavesNoTrace() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(wholeRequest())) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(22).toBuilder().forwardBeforeCommit(true).build());
            controller.next(HandoffReady.class, 5000);
            assertNotNull(upstream.requests.poll(5, java.util.concurrent.TimeUnit.SECONDS));
            Thread.sleep(100); // the answer is at the agent
            controller.send(new HandoffAbort(22));
            await("no live connections", 5000, () -> agent.liveConnections() == 0);
            assertEquals(0, socketsWithLocalPort(p.port()), "recreated socket gone");
            assertClientSeesNothing(p.client());
            assertTrue(controller.received.isEmpty(), "abort is answered by nothing: " + controller.received);
        }
    }

    @Test
    void abortClosesTheRecreatedSocketWithoutATrace() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(9));
            controller.next(HandoffReady.class, 5000);
            assertEquals(1, socketsWithLocalPort(p.port()));
            controller.send(new HandoffAbort(9));
            await("no live connections", 5000, () -> agent.liveConnections() == 0);
            assertEquals(0, socketsWithLocalPort(p.port()), "recreated socket gone");
            assertClientSeesNothing(p.client());
            // A commit after the abort is ignored.
            controller.send(new HandoffCommit(9));
            Thread.sleep(100);
            assertEquals(0, agent.liveConnections());
            assertTrue(controller.received.isEmpty(), "abort is answered by nothing: " + controller.received);
        }
    }

    @Test
    void abortAfterCommitAlsoLeavesNoTrace() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(10));
            controller.next(HandoffReady.class, 5000);
            controller.send(new HandoffCommit(10));
            Thread.sleep(100);
            controller.send(new HandoffAbort(10));
            await("no live connections", 5000, () -> agent.liveConnections() == 0);
            assertEquals(0, socketsWithLocalPort(p.port()));
            assertClientSeesNothing(p.client());
            Thread.sleep(100);
            assertTrue(controller.received.isEmpty(), "silent: " + controller.received);
        }
    }

    @Test
    void commitTimeoutDropsSilently() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET, "--commit-timeout-ms", "300");
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(11));
            controller.next(HandoffReady.class, 5000);
            long readyAt = System.currentTimeMillis();
            HandoffDrop drop = controller.next(HandoffDrop.class, 5000);
            assertTrue(System.currentTimeMillis() - readyAt >= 250, "not before the timeout");
            assertEquals(11, drop.handoffId());
            assertEquals(DropReason.COMMIT_TIMEOUT, drop.reason());
            assertEquals(0, agent.liveConnections());
            assertEquals(0, socketsWithLocalPort(p.port()));
            assertClientSeesNothing(p.client());
        }
    }

    @Test
    void clientResetIsReported() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET);
             Prepared p = prepare(PART1)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            controller.send(p.request(12));
            controller.next(HandoffReady.class, 5000);
            controller.send(new HandoffCommit(12));
            Thread.sleep(100);
            p.client().setSoLinger(true, 0);
            p.client().close(); // RST
            ConnectionClosed closed = controller.next(ConnectionClosed.class, 5000);
            assertEquals(12, closed.handoffId());
            assertEquals(CloseReason.RESET, closed.reason());
            assertEquals(PART1.length, closed.bytesFromClient());
            await("no live connections", 5000, () -> agent.liveConnections() == 0);
        }
    }

    /** A request for a made-up connection (nothing is ever sent on it: repair mode, no window probe). */
    private static HandoffRequest fake(long id, int localIpv4, int clientPort, int localPort) {
        return HandoffRequest.builder().handoffId(id).clientIpv4(LOOPBACK).clientPort(clientPort)
                .localIpv4(localIpv4).localPort(localPort).sendSeq(1000).recvSeq(2000).mss(1460)
                .sndWscale(7).rcvWscale(7).sack(true).timestamps(true).tsVal(12345).sndWnd(65535).rcvWnd(65535)
                .data(ascii("GET / HTTP/1.1\r\n")).build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void refusesAddressesThatAreNotItsOwnAndBadRequests() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET, "--vip", "10.99.0.1");
            controller.awaitAuthenticated(1, 5000);
            controller.send(fake(1, Ipv4.parse("192.0.2.1"), 40000, 80));
            HandoffDrop drop = controller.next(HandoffDrop.class, 5000);
            assertEquals(1, drop.handoffId());
            assertEquals(DropReason.NOT_MY_ADDRESS, drop.reason());
            assertTrue(drop.detail().contains("192.0.2.1"), drop.detail());

            controller.send(fake(2, LOOPBACK, 0, 80));
            HandoffDrop bad = controller.next(HandoffDrop.class, 5000);
            assertEquals(DropReason.BAD_REQUEST, bad.reason());
            assertTrue(bad.detail().contains("clientPort"), bad.detail());
            assertEquals(0, agent.liveConnections());
        }
    }

    /**
     * A client reused its port while this server still had the previous connection of that
     * four-tuple closing, held by no process (FIN_WAIT1, its FIN stuck: the client vanished):
     * the agent destroys that socket and rebuilds the new one, instead of dropping the handoff.
     */
    @Test
    void anOrphanOfAnEarlierConnectionGivesUpItsFourTuple() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            RawSockets.withLoopbackClient((listenFd, client) -> {
                int port = RawSockets.localPort(listenFd);
                int server = RawSockets.accept(listenFd);
                FrozenSocket f = TcpRepair.freeze(server);
                TcpRepair.setRepair(server, TcpRepair.TCP_REPAIR_OFF_NO_WP);
                RawSockets.closeWithFinStuck(server);
                assertEquals("FIN_WAIT1, no process's", heldBy(port, client.getLocalPort()));

                controller.send(f.toRequest(51, new byte[0]));
                assertEquals(new HandoffReady(51), controller.next(HandoffReady.class, 5000));
                assertEquals(1, agent.orphansDestroyed());
                assertEquals(1, agent.liveConnections());
                controller.send(new HandoffAbort(51));
                await("abort", 5000, () -> agent.liveConnections() == 0);
            });
        }
    }

    /**
     * A socket that a process holds is never taken: it may be a live connection the agent does not
     * know. A request safe to repeat went to the web server while the socket was being rebuilt;
     * the handoff is dropped all the same, and nothing of it stays: no relay, no live connection,
     * no web server connection, no other message (the web server's answer went nowhere).
     */
    @ParameterizedTest(name = "request safe to repeat: {0}")
    @ValueSource(booleans = {false, true})
    void aFourTupleThatAProcessHoldsFailsTheHandoff(boolean safeToRepeat) throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET);
            controller.awaitAuthenticated(1, 5000);
            await("web server connections opened ahead", 5000, () -> upstream.connections.get() >= 1);
            RawSockets.withLoopbackClient((listenFd, client) -> {
                int server = RawSockets.accept(listenFd);
                try {
                    FrozenSocket f = TcpRepair.freeze(server);
                    controller.send(f.toRequest(52, wholeRequest()).toBuilder().forwardBeforeCommit(safeToRepeat).build());
                    HandoffDrop drop = controller.next(HandoffDrop.class, 5000);
                    assertEquals(DropReason.REPAIR_FAILED, drop.reason());
                    assertTrue(drop.detail().contains("held by a socket in ESTABLISHED, a process's"), drop.detail());
                    assertEquals(0, agent.orphansDestroyed());
                    String sent = upstream.requests.poll(safeToRepeat ? 5000 : 300,
                            java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (safeToRepeat) {
                        assertEquals("GET /x HTTP/1.1\r\nHost: t\r\n\r\n", sent,
                                "sent to the web server while the socket was being rebuilt");
                    } else {
                        assertNull(sent, "not safe to repeat: it waits for a commit");
                    }
                    await("no live connections", 5000, () -> agent.liveConnections() == 0);
                    await("the web server connection the handoff took is closed", 5000,
                            () -> upstream.ended.get() == 1);
                    Thread.sleep(200); // the web server's answer reached the agent, and went nowhere
                    assertTrue(controller.received.isEmpty(), "nothing after the drop: " + controller.received);
                    assertEquals("ESTABLISHED, a process's", heldBy(RawSockets.localPort(listenFd), client.getLocalPort())
                            .replaceAll(" \\(inode \\d+\\)", ""), "still there");
                } finally {
                    TcpRepair.closeSilently(server);
                }
            });
        }
    }

    /** What holds the loopback four-tuple from {@code port} to {@code clientPort}, or "none". */
    private static String heldBy(int port, int clientPort) {
        try {
            SocketDiag.Held h = SocketDiag.find(LOOPBACK, port, LOOPBACK, clientPort);
            return h == null ? "none" : h.toString();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesDuplicatesAndMoreThanMaxConnections() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(1000);
             TestController controller = new TestController(SECRET)) {
            Agent agent = agent(controller.port(), upstream.port(), SECRET, "--max-connections", "1");
            controller.awaitAuthenticated(1, 5000);
            int local = freePort();
            int clientA = freePort();
            int clientB = freePort();
            controller.send(fake(1, LOOPBACK, clientA, local));
            assertEquals(new HandoffReady(1), controller.next(HandoffReady.class, 5000));
            controller.send(fake(1, LOOPBACK, clientB, local));
            HandoffDrop sameId = controller.next(HandoffDrop.class, 5000);
            assertEquals(DropReason.DUPLICATE, sameId.reason());
            controller.send(fake(2, LOOPBACK, clientA, local));
            HandoffDrop sameTuple = controller.next(HandoffDrop.class, 5000);
            assertEquals(2, sameTuple.handoffId());
            assertEquals(DropReason.DUPLICATE, sameTuple.reason());
            controller.send(fake(3, LOOPBACK, clientB, local));
            HandoffDrop overloaded = controller.next(HandoffDrop.class, 5000);
            assertEquals(3, overloaded.handoffId());
            assertEquals(DropReason.OVERLOADED, overloaded.reason());
            assertEquals(1, agent.liveConnections());

            controller.send(new HandoffAbort(1));
            await("abort", 5000, () -> agent.liveConnections() == 0);
            controller.send(fake(3, LOOPBACK, clientB, local));
            assertEquals(new HandoffReady(3), controller.next(HandoffReady.class, 5000));
            controller.send(new HandoffAbort(3));
            await("abort", 5000, () -> agent.liveConnections() == 0);
            assertEquals(0, socketsWithLocalPort(local));
        }
    }

    @Test
    void unreachableWebServerIsADrop() throws Exception {
        try (TestController controller = new TestController(SECRET)) {
            int closedPort = freePort();
            Agent agent = agent(controller.port(), closedPort, SECRET);
            controller.awaitAuthenticated(1, 5000);
            int local = freePort();
            controller.send(fake(4, LOOPBACK, freePort(), local));
            HandoffDrop drop = controller.next(HandoffDrop.class, 5000);
            assertEquals(DropReason.UPSTREAM_UNREACHABLE, drop.reason());
            assertEquals(0, agent.liveConnections());
            assertEquals(0, socketsWithLocalPort(local));
        }
    }

    @Test
    void agentWithTheWrongSecretIsRefused() throws Exception {
        try (TestController controller = new TestController(SECRET)) {
            Agent agent = agent(controller.port(), freePort(), ascii("some-other-secret"));
            await("two refusals (the agent retries)", 5000, () -> controller.authRefused.get() >= 2);
            assertEquals(0, controller.authOk.get());
            assertFalse(agent.isAuthenticated());
            await("agent notices", 5000, () -> agent.authFailures() >= 1);
        }
    }

    @Test
    void controllerWithoutTheSecretIsRefusedByTheAgent() throws Exception {
        try (TestController controller = new TestController(SECRET, TestController.Mode.WRONG_WELCOME)) {
            Agent agent = agent(controller.port(), freePort(), SECRET);
            await("the agent closes", 5000, () -> controller.closedByAgent.get() >= 1);
            await("agent counts it", 5000, () -> agent.authFailures() >= 1);
            assertFalse(agent.isAuthenticated());
            assertEquals(0, agent.authentications());
        }
    }

    @Test
    void agentIgnoresHandoffMessagesBeforeAuthentication() throws Exception {
        try (TestController controller = new TestController(SECRET, TestController.Mode.REQUEST_BEFORE_WELCOME)) {
            Agent agent = agent(controller.port(), freePort(), SECRET);
            await("the agent closes", 5000, () -> controller.closedByAgent.get() >= 1);
            assertFalse(agent.isAuthenticated());
            assertEquals(0, agent.liveConnections());
        }
    }
}
