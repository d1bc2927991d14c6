package io.baton.controller.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigLoaderTest;
import io.baton.controller.engine.BatonEngine;
import io.baton.controller.engine.RecordingSouthbound;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.Challenge;
import io.baton.handoff.protocol.HandoffAuth;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.HandoffWire;
import io.baton.handoff.protocol.Hello;
import io.baton.handoff.protocol.Ipv4;
import io.baton.handoff.protocol.Welcome;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller's own handoff listener ({@link HandoffServer} with {@link AgentChannelHandler}
 * and the real engine behind it) against agents that do not know the secret, over a loopback
 * socket. The agent's side is played by hand, frame by frame, so that a test can send exactly
 * what an attacker would: a proof made with the wrong secret, or a proof recorded from an
 * earlier connection. Each must end with the channel closed by the controller, no Welcome,
 * {@code agentAuthFailures} counted, and the server not registered.
 */
class AgentAuthenticationTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int SERVER = Ipv4.parse("10.0.0.11");

    private BatonEngine engine;
    private HandoffServer server;
    private InetSocketAddress listening;

    @BeforeEach
    void start() throws Exception {
        engine = new BatonEngine(ConfigLoader.parse(ConfigLoaderTest.GOOD, Path.of("/cfg")),
                new RecordingSouthbound(SwitchId.of(1)), SECRET);
        engine.start();
        server = new HandoffServer();
        listening = server.start(new InetSocketAddress("127.0.0.1", 0), SECRET, engine, engine.counters());
    }

    @AfterEach
    void stop() {
        server.close();
        engine.close();
    }

    /** The agent's side of one connection, frame by frame. */
    private static final class HandAgent implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;

        HandAgent(InetSocketAddress controller) throws IOException {
            socket = new Socket();
            socket.connect(controller, 2_000);
            socket.setSoTimeout(5_000);
            in = new DataInputStream(socket.getInputStream());
        }

        HandoffMessage read() throws IOException {
            int length = in.readInt();
            byte[] frame = new byte[4 + length];
            frame[0] = (byte) (length >>> 24);
            frame[1] = (byte) (length >>> 16);
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
            in.readFully(frame, 4, length);
            return HandoffWire.decode(frame);
        }

        byte[] challenge() throws IOException {
            HandoffMessage m = read();
            assertInstanceOf(Challenge.class, m, "the controller speaks first");
            return ((Challenge) m).controllerNonce();
        }

        void send(HandoffMessage m) throws IOException {
            socket.getOutputStream().write(HandoffWire.encode(m));
            socket.getOutputStream().flush();
        }

        /** Whether the controller closed the connection without sending anything more. */
        boolean closedWithoutAWord() throws IOException {
            try {
                HandoffMessage m = read();
                throw new AssertionError("the controller answered " + m);
            } catch (EOFException | SocketException closed) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static Hello hello(byte[] secret, byte[] controllerNonce) {
        byte[] agentNonce = HandoffAuth.newNonce();
        return new Hello(agentNonce, HandoffAuth.agentProof(secret, controllerNonce, agentNonce, SERVER),
                SERVER, 0x0000_0000_000bL, "static", Hello.CAP_NAT, new int[0]);
    }

    private boolean agentConnected() {
        List<Map<String, Object>> rows = engine.servers().join();
        return rows.stream().filter(r -> Ipv4.toString(SERVER).equals(r.get("address")))
                .anyMatch(r -> Boolean.TRUE.equals(r.get("agentConnected")));
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void anAgentWithTheWrongSecretIsClosedCountedAndNotRegistered() throws Exception {
        byte[] wrong = "0123456789abcdef0123456789abcdeX".getBytes(StandardCharsets.US_ASCII);
        try (HandAgent agent = new HandAgent(listening)) {
            agent.send(hello(wrong, agent.challenge()));
            assertTrue(agent.closedWithoutAWord(), "closed, no Welcome");
        }
        assertEquals(1, engine.counters().agentAuthFailures.sum());
        assertFalse(agentConnected(), "the server has no agent");
    }

    @Test
    void aProofRecordedFromAnEarlierChallengeIsRefused() throws Exception {
        Hello recorded;
        byte[] firstNonce;
        try (HandAgent honest = new HandAgent(listening)) {
            firstNonce = honest.challenge();
            recorded = hello(SECRET, firstNonce);
            honest.send(recorded);
            HandoffMessage welcome = honest.read();
            assertInstanceOf(Welcome.class, welcome, "the honest agent is let in");
            assertTrue(HandoffAuth.verifyWelcome(SECRET, recorded.agentNonce(), firstNonce, (Welcome) welcome));
            await(this::agentConnected, "the honest agent registered");
        }
        await(() -> !agentConnected(), "the honest agent gone");

        // An eavesdropper replays the honest Hello, byte for byte, on a connection of its own.
        try (HandAgent replay = new HandAgent(listening)) {
            byte[] secondNonce = replay.challenge();
            assertFalse(Arrays.equals(firstNonce, secondNonce), "a fresh challenge each connection");
            replay.send(recorded);
            assertTrue(replay.closedWithoutAWord(), "closed, no Welcome");
        }
        assertEquals(1, engine.counters().agentAuthFailures.sum());
        assertFalse(agentConnected(), "the replayed Hello registered nothing");
        assertNotEquals(0, engine.servers().join().size(), "the server is still known, only without an agent");
    }
}
