package io.baton.controller.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigLoaderTest;
import io.baton.controller.handoff.AgentSession;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.HandoffRequest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Packets no honest client sends, each with its counter and its outcome: fragments, bad
 * checksums, impossible flags, blind resets (RFC 5961), overlapping segments whose bytes
 * disagree, segments out of order, a zero window. Nothing of it may disturb the engine.
 */
class HostileSegmentsTest {
    static final SwitchId SW = SwitchId.of(1);
    static final MacAddress CLIENT_MAC = MacAddress.parse("00:00:00:00:00:01");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address VIP = Ipv4Address.parse("10.0.0.100");
    static final MacAddress VMAC = MacAddress.parse("02:00:0a:00:00:64");
    static final int PORT = 1;
    static final int ISN = 1000;

    private final RecordingSouthbound sb = new RecordingSouthbound(SW);
    private final BlockingQueue<HandoffMessage> toAgent = new LinkedBlockingQueue<>();
    private BatonEngine engine;
    private int clientPort = 40000;

    @BeforeEach
    void start() throws Exception {
        BatonConfig config = ConfigLoader.parse(ConfigLoaderTest.GOOD, Path.of("/cfg"));
        engine = new BatonEngine(config, sb);
        engine.start();
        // VIP packets wait while the switch's rules are read back: let that pass first.
        await(() -> ((java.util.Map<?, ?>) engine.stats().join().get("recovery")).get("switchesReconciling")
                .equals(0), "the switch reconciled");
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                toAgent.add((HandoffMessage) msg);
                promise.trySuccess();
            }
        });
        for (String ip : new String[] {"10.0.0.11", "10.0.0.12"}) {
            MacAddress mac = MacAddress.parse("00:00:00:00:00:" + ip.substring(ip.length() - 2));
            AgentSession s = new AgentSession(ch, Ipv4Address.parse(ip), mac, "test", Set.of(VIP), System.nanoTime());
            engine.agentAuthenticated(s);
            s.heartbeat(System.nanoTime());
            s.heartbeat(System.nanoTime());
            engine.packetIn(SW, ip.endsWith("11") ? 3 : 4, FrameBuilder.arpReply(mac, Ipv4Address.parse(ip),
                    MacAddress.parse("02:ba:70:00:00:00"), Ipv4Address.of(0)));
        }
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    private byte[] segment(int flags, int seq, int ack, int window, String data) {
        return FrameBuilder.tcp(CLIENT_MAC, VMAC, CLIENT, VIP, clientPort, 80, seq, ack, flags, window, TcpOptions.NONE,
                data == null ? null : data.getBytes(StandardCharsets.US_ASCII));
    }

    private void send(byte[] frame) {
        engine.packetIn(SW, PORT, frame);
    }

    /** Waits until the engine handled everything sent so far. */
    private void settle() {
        engine.ask(() -> null).join();
    }

    private int packetsToClient() {
        synchronized (sb.packets) {
            return (int) sb.packets.stream().filter(p -> {
                Frame f = Frame.parse(p.frame());
                return f.kind() == Frame.Kind.TCP && f.ethDst().equals(CLIENT_MAC);
            }).count();
        }
    }

    private Frame lastToClient() {
        synchronized (sb.packets) {
            for (int i = sb.packets.size() - 1; i >= 0; i--) {
                Frame f = Frame.parse(sb.packets.get(i).frame());
                if (f.kind() == Frame.Kind.TCP && f.ethDst().equals(CLIENT_MAC)) {
                    return f;
                }
            }
        }
        return null;
    }

    private int connections() {
        return engine.connections().join().size();
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        Await.until(cond, what);
    }

    /** SYN, SYN-ACK, ACK: returns the controller's ISN. */
    private int handshake(int window) throws InterruptedException {
        send(segment(Frame.TCP_SYN, ISN, 0, window, null));
        await(() -> lastToClient() != null && lastToClient().has(Frame.TCP_SYN), "SYN-ACK");
        int serverIsn = lastToClient().seq();
        send(segment(Frame.TCP_ACK, ISN + 1, serverIsn + 1, window, null));
        return serverIsn;
    }

    private HandoffRequest nextHandoff() throws InterruptedException {
        HandoffMessage m;
        do {
            m = toAgent.poll(5, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no handoff");
            }
        } while (!(m instanceof HandoffRequest));
        return (HandoffRequest) m;
    }

    private long grew(LongAdder counter, Runnable action) {
        long before = counter.sum();
        action.run();
        settle();
        return counter.sum() - before;
    }

    /** Recomputes the IPv4 header checksum after a test changed the header. */
    private static void ipChecksum(byte[] f) {
        f[14 + 10] = 0;
        f[14 + 11] = 0;
        int sum = 0;
        for (int i = 14; i < 14 + 20; i += 2) {
            sum += ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        int c = ~sum & 0xffff;
        f[14 + 10] = (byte) (c >>> 8);
        f[14 + 11] = (byte) c;
    }

    @Test
    void aFragmentToTheVipIsDroppedAndCounted() {
        byte[] f = segment(Frame.TCP_SYN, ISN, 0, 502, null);
        f[14 + 6] = 0x20; // more fragments
        ipChecksum(f);
        assertEquals(1, grew(engine.counters().fragmentsToVip, () -> send(f)));
        assertEquals(0, packetsToClient(), "no answer");
        assertEquals(0, connections());
    }

    @Test
    void aBadChecksumIsDroppedAndCounted() {
        byte[] f = segment(Frame.TCP_SYN, ISN, 0, 502, null);
        f[14 + 20 + 16] ^= 0x55;
        assertEquals(1, grew(engine.counters().badTcpChecksum, () -> send(f)));
        assertEquals(0, packetsToClient());
        assertEquals(0, connections());
    }

    @Test
    void impossibleFlagsAreCountedAndNeverOpenAConnection() {
        assertEquals(1, grew(engine.counters().invalidSegments, () -> send(segment(Frame.TCP_SYN | Frame.TCP_FIN, ISN, 0, 502, null))));
        assertEquals(1, grew(engine.counters().invalidSegments, () -> send(segment(Frame.TCP_SYN | Frame.TCP_RST, ISN, 0, 502, null))));
        assertEquals(0, packetsToClient(), "no answer to SYN+FIN or SYN+RST");
        // A "Christmas tree" (FIN, PSH, URG, no ACK) to a connection nobody has: a reset, counted.
        assertEquals(1, grew(engine.counters().resetsSent, () -> send(segment(Frame.TCP_FIN | Frame.TCP_PSH | 0x20, ISN, 0, 502, null))));
        assertTrue(lastToClient().has(Frame.TCP_RST));
        assertEquals(0, connections());
    }

    @Test
    void aResetThatIsNotExactGetsAChallengeAckAndTheExactOneEndsTheConnection() throws Exception {
        int serverIsn = handshake(502);
        settle();
        int before = packetsToClient();
        assertEquals(1, grew(engine.counters().challengeAcksSent,
                () -> send(segment(Frame.TCP_RST, ISN + 1 + 100, 0, 0, null))), "counted");
        assertEquals(0, engine.counters().clientResets.sum());
        Frame challenge = lastToClient();
        assertEquals(before + 1, packetsToClient(), "RFC 5961 §3.2: a challenge ACK");
        assertEquals(Frame.TCP_ACK, challenge.flags());
        assertEquals(ISN + 1, challenge.ack());
        assertEquals(serverIsn + 1, challenge.seq());
        assertEquals(1, connections(), "a blind reset ends nothing");
        assertEquals(1, grew(engine.counters().clientResets, () -> send(segment(Frame.TCP_RST, ISN + 1, 0, 0, null))));
        assertEquals(0, connections());
    }

    @Test
    void aResetOutsideTheWindowIsDroppedAndCountedWithoutAnAnswer() throws Exception {
        handshake(502);
        settle();
        int before = packetsToClient();
        // Below the next expected byte: RFC 5961 §3.2 drops it silently (no challenge to amplify).
        assertEquals(1, grew(engine.counters().resetsIgnored, () -> send(segment(Frame.TCP_RST, ISN + 1 - 1000, 0, 0, null))));
        assertEquals(0, engine.counters().challengeAcksSent.sum(), "no challenge ACK");
        assertEquals(before, packetsToClient(), "no answer");
        assertEquals(1, connections(), "the connection lives on");
    }

    @Test
    void aSynOnAnOpenConnectionGetsAChallengeAck() throws Exception {
        int serverIsn = handshake(502);
        settle();
        int before = packetsToClient();
        assertEquals(1, grew(engine.counters().challengeAcksSent, () -> send(segment(Frame.TCP_SYN, ISN + 5000, 0, 502, null))));
        assertEquals(before + 1, packetsToClient(), "RFC 5961 §4.2: a challenge ACK");
        assertEquals(Frame.TCP_ACK, lastToClient().flags());
        assertEquals(serverIsn + 1, lastToClient().seq());
        assertEquals(1, connections(), "the connection lives on");
    }

    @Test
    void overlappingBytesThatDisagreeKeepWhatWasParsedFirst() throws Exception {
        int serverIsn = handshake(502);
        String first = "GET /static/a HTTP/1.1\r\n";
        send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1, serverIsn + 1, 502, first));
        settle();
        // A "retransmission" that says something else for the same bytes, then continues.
        String liar = "GET /api/evil HTTP/1.1\r\nHost: x\r\n\r\n";
        assertEquals(1, grew(engine.counters().overlapConflicts,
                () -> send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1, serverIsn + 1, 502, liar))));
        HandoffRequest req = nextHandoff();
        String expected = first + liar.substring(first.length());
        assertEquals(expected, new String(req.data(), StandardCharsets.US_ASCII),
                "the server gets exactly the bytes the controller parsed");
        assertTrue(Set.of(Ipv4Address.parse("10.0.0.11").toInt(), Ipv4Address.parse("10.0.0.12").toInt())
                .contains(req.localIpv4()),
                "dispatched by the bytes parsed (/static/a: the static pool), not by the liar's /api/");
    }

    @Test
    void aRetransmissionWithTheSameBytesIsNoConflict() throws Exception {
        int serverIsn = handshake(502);
        String first = "GET /static/a HTTP/1.1\r\n";
        send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1, serverIsn + 1, 502, first));
        // The same bytes again, then more: an honest retransmission that grew (Linux does this).
        String again = "HTTP/1.1\r\nHost: x\r\n\r\n";
        assertEquals(0, grew(engine.counters().overlapConflicts, () -> send(segment(Frame.TCP_ACK | Frame.TCP_PSH,
                ISN + 1 + first.indexOf("HTTP/1.1"), serverIsn + 1, 502, again))));
        assertEquals(first + "Host: x\r\n\r\n", new String(nextHandoff().data(), StandardCharsets.US_ASCII));
    }

    @Test
    void aConflictAfterTheFirstBytesIsFoundWhereverTheOverlapStarts() throws Exception {
        int serverIsn = handshake(502);
        String first = "GET /static/a HTTP/1.1\r\n";
        send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1, serverIsn + 1, 502, first));
        settle();
        // Starts at the SYN's own number (one byte before the request) and differs only in the last overlapping byte.
        String shifted = "x" + first.substring(0, first.length() - 1) + "X";
        assertEquals(1, grew(engine.counters().overlapConflicts,
                () -> send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN, serverIsn + 1, 502, shifted))));
        assertEquals(0, grew(engine.counters().overlapConflicts,
                () -> send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN, serverIsn + 1, 502, "x" + first))),
                "the byte at the SYN's number is no request byte: nothing to compare it with");
        assertEquals(1, connections());
    }

    @Test
    void aSegmentOutOfOrderIsNotKeptAndAsksForTheGap() throws Exception {
        int serverIsn = handshake(502);
        String part1 = "GET /x HTTP/1.1\r\n";
        String part2 = "Host: a\r\n\r\n";
        assertEquals(1, grew(engine.counters().outOfOrderSegments,
                () -> send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1 + part1.length(), serverIsn + 1, 502, part2))));
        assertEquals(ISN + 1, lastToClient().ack(), "a duplicate ACK for the gap");
        send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1, serverIsn + 1, 502, part1));
        settle();
        assertNull(toAgent.peek(), "the early bytes were not kept: no head yet");
        send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1 + part1.length(), serverIsn + 1, 502, part2));
        assertEquals(part1 + part2, new String(nextHandoff().data(), StandardCharsets.US_ASCII));
    }

    @Test
    void aZeroWindowIsCountedAndHandedOnToTheServer() throws Exception {
        int serverIsn = handshake(502);
        settle();
        assertEquals(0, engine.counters().zeroWindowSegments.sum(), "an open window is not counted");
        String request = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
        assertEquals(1, grew(engine.counters().zeroWindowSegments,
                () -> send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1, serverIsn + 1, 0, request))));
        HandoffRequest req = nextHandoff();
        assertEquals(0, req.sndWnd(), "the server's socket must not send into a closed window");
    }

    @Test
    void theAttackCountersAreInTheStats() throws Exception {
        int serverIsn = handshake(0); // a SYN and its ACK with a zero window
        send(segment(Frame.TCP_RST, ISN + 1 + 100, 0, 0, null));
        send(segment(Frame.TCP_RST, ISN + 1 - 1000, 0, 0, null));
        send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1, serverIsn + 1, 502, "GET /a"));
        send(segment(Frame.TCP_ACK | Frame.TCP_PSH, ISN + 1, serverIsn + 1, 502, "GET /b"));
        settle();
        java.util.Map<?, ?> counters = (java.util.Map<?, ?>) engine.stats().join().get("counters");
        assertEquals(1L, counters.get("challengeAcksSent"), counters.toString());
        assertEquals(1L, counters.get("resetsIgnored"));
        assertEquals(1L, counters.get("overlapConflicts"));
        assertEquals(2L, counters.get("zeroWindowSegments"));
    }
}
