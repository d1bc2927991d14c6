package io.baton.controller.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.flows.Cookies;
import io.baton.controller.flows.FlowRuleFactory;
import io.baton.controller.handoff.AgentSession;
import io.baton.controller.handoff.HandoffCoordinator;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.Meter;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.CloseReason;
import io.baton.handoff.protocol.ConnectionClosed;
import io.baton.handoff.protocol.HandoffAbort;
import io.baton.handoff.protocol.HandoffCommit;
import io.baton.handoff.protocol.HandoffDrop;
import io.baton.handoff.protocol.DropReason;
import io.baton.handoff.protocol.HandoffReady;
import io.baton.handoff.protocol.HandoffRequest;
import io.baton.handoff.protocol.HandoffMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole engine driven through its southbound and agent interfaces: client SYN, request
 * data, dispatch by path, handoff to a fake agent, rules, commit, close. The same scenario the
 * Mininet tests run for real, asserted here packet by packet and rule by rule.
 */
class EngineScenarioTest {
    static final SwitchId SW = SwitchId.of(1);
    static final MacAddress CLIENT_MAC = MacAddress.parse("00:00:00:00:00:01");
    static final Ipv4Address CLIENT = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address VIP = Ipv4Address.parse("10.0.0.100");
    static final MacAddress VMAC = MacAddress.parse("02:00:0a:00:00:64");
    static final int CLIENT_PORT = 40000;
    static final int CLIENT_SWITCH_PORT = 1;

    private BatonEngine engine;
    private final RecordingSouthbound sb = new RecordingSouthbound(SW);

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
    }

    private void start(String mode) throws Exception {
        BatonConfig config = ConfigLoader.parse(io.baton.controller.config.ConfigLoaderTest.GOOD
                .replace("\"mode\": \"nat\"", "\"mode\": \"" + mode + "\""), Path.of("/cfg"));
        engine = new BatonEngine(config, sb);
        engine.start();
    }

    /**
     * What the engine sends to one fake agent, captured in a thread-safe queue (the engine
     * writes from its own thread; an EmbeddedChannel's own queue is not safe to read across).
     */
    static final class AgentInbox {
        final BlockingQueue<HandoffMessage> messages = new LinkedBlockingQueue<>();

        <T extends HandoffMessage> T next(Class<T> type) throws InterruptedException {
            HandoffMessage m = messages.poll(5, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message for the agent; expected " + type.getSimpleName());
            }
            assertEquals(type, m.getClass(), "next message to the agent");
            return type.cast(m);
        }

        /** Nothing for the agent within {@code millis}: null; else the message, of the type asked. */
        <T extends HandoffMessage> T poll(Class<T> type, long millis) throws InterruptedException {
            HandoffMessage m = messages.poll(millis, TimeUnit.MILLISECONDS);
            return m == null ? null : type.cast(m);
        }
    }

    /** An agent for a server, on an embedded channel, located on the switch by an ARP reply. */
    private AgentInbox agent(String ip, String mac, int port) {
        return agent(ip, mac, port, 2); // two heartbeats: the server has risen (riseHeartbeats=2)
    }

    private AgentInbox agent(String ip, String mac, int port, int heartbeats) {
        AgentInbox inbox = new AgentInbox();
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                inbox.messages.add((HandoffMessage) msg);
                promise.trySuccess();
            }
        });
        AgentSession s = new AgentSession(ch, Ipv4Address.parse(ip), MacAddress.parse(mac), "test",
                Set.of(VIP), System.nanoTime());
        engine.agentAuthenticated(s);
        for (int i = 0; i < heartbeats; i++) {
            s.heartbeat(System.nanoTime());
        }
        sessions.put(ip, s);
        engine.packetIn(SW, port, FrameBuilder.arpReply(MacAddress.parse(mac), Ipv4Address.parse(ip),
                MacAddress.parse("02:ba:70:00:00:00"), Ipv4Address.of(0)));
        return inbox;
    }

    private final java.util.Map<String, AgentSession> sessions = new java.util.HashMap<>();

    private byte[] clientSegment(int flags, int seq, int ack, TcpOptions opts, String data) {
        return FrameBuilder.tcp(CLIENT_MAC, VMAC, CLIENT, VIP, CLIENT_PORT, 80, seq, ack, flags, 502, opts,
                data == null ? null : data.getBytes(StandardCharsets.US_ASCII));
    }

    private static void await(BooleanSupplier cond, String what) throws InterruptedException {
        Await.until(cond, what);
    }

    private Frame lastTcpTo(MacAddress dst) {
        synchronized (sb.packets) {
            for (int i = sb.packets.size() - 1; i >= 0; i--) {
                Frame f = Frame.parse(sb.packets.get(i).frame());
                if (f.kind() == Frame.Kind.TCP && f.ethDst().equals(dst)) {
                    return f;
                }
            }
        }
        return null;
    }

    private int tcpCount() {
        synchronized (sb.packets) {
            return (int) sb.packets.stream().filter(p -> Frame.parse(p.frame()).kind() == Frame.Kind.TCP).count();
        }
    }

    /** The client's own segments that the controller sent on (to a server), in order. */
    private List<PacketOut> sentOn() {
        return sb.packets.stream().filter(p -> {
            Frame f = Frame.parse(p.frame());
            return f.kind() == Frame.Kind.TCP && f.ipSrc().equals(CLIENT);
        }).collect(java.util.stream.Collectors.toList());
    }

    /** Where in what went to the switch the first TCP segment acknowledging {@code ack} is; -1 if none. */
    private int indexOfAckTo(int ack) {
        List<Object> sent = List.copyOf(sb.sent);
        for (int i = 0; i < sent.size(); i++) {
            if (sent.get(i) instanceof PacketOut) {
                Frame f = Frame.parse(((PacketOut) sent.get(i)).frame());
                if (f.kind() == Frame.Kind.TCP && f.ack() == ack && f.payloadLength() == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    @ParameterizedTest
    @ValueSource(strings = {"nat", "dsr"})
    void handshakeDispatchHandoffAndClose(String mode) throws Exception {
        start(mode);
        await(() -> sb.installed.size() >= 2, "base rules");
        assertEquals(FlowRuleFactory.PRIORITY_TABLE_MISS, sb.installed.get(0).priority());
        AgentInbox api = agent("10.0.0.13", "00:00:00:00:00:13", 5);
        agent("10.0.0.11", "00:00:00:00:00:11", 3);

        int isn = 1000;
        TcpOptions syn = new TcpOptions(1460, 9, true, true, 777, 0);
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, isn, 0, syn, null));
        await(() -> lastTcpTo(CLIENT_MAC) != null, "SYN-ACK");
        Frame synAck = lastTcpTo(CLIENT_MAC);
        assertEquals(Frame.TCP_SYN | Frame.TCP_ACK, synAck.flags());
        assertEquals(isn + 1, synAck.ack());
        assertEquals(VIP, synAck.ipSrc());
        assertEquals(VMAC, synAck.ethSrc());
        assertEquals(1460, synAck.options().mss());
        assertEquals(7, synAck.options().windowScale());
        assertTrue(synAck.options().sackPermitted());
        assertEquals(777, synAck.options().tsEcr());
        assertTrue(synAck.tcpChecksumOk());

        // A retransmitted SYN gets the very same answer.
        int before = tcpCount();
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, isn, 0, syn, null));
        await(() -> tcpCount() == before + 1, "second SYN-ACK");
        assertEquals(synAck.seq(), lastTcpTo(CLIENT_MAC).seq());

        int serverIsn = synAck.seq();
        TcpOptions ts = TcpOptions.timestampsOnly(778, synAck.options().tsVal());
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK, isn + 1, serverIsn + 1, ts, null));
        String part1 = "GET /api/users HTTP/1.1\r\nHost: ex";
        String part2 = "ample.com\r\n\r\n";
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK | Frame.TCP_PSH, isn + 1, serverIsn + 1, ts, part1));
        await(() -> lastTcpTo(CLIENT_MAC).ack() == isn + 1 + part1.length(), "ACK of the first part");
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK | Frame.TCP_PSH,
                isn + 1 + part1.length(), serverIsn + 1, ts, part2));

        // /api/ goes to the api pool: its agent gets the handoff, with the exact TCP state.
        HandoffRequest req = api.next(HandoffRequest.class);
        assertEquals(CLIENT.toInt(), req.clientIpv4());
        assertEquals(CLIENT_PORT, req.clientPort());
        assertEquals(mode.equals("nat") ? Ipv4Address.parse("10.0.0.13").toInt() : VIP.toInt(), req.localIpv4());
        assertEquals(80, req.localPort());
        assertEquals(serverIsn + 1, req.sendSeq());
        assertEquals(isn + 1, req.recvSeq());
        assertEquals(part1 + part2, new String(req.data(), StandardCharsets.US_ASCII));
        assertEquals(9, req.sndWscale());
        assertEquals(7, req.rcvWscale());
        assertTrue(req.sack() && req.timestamps());
        assertEquals(778, req.tsEcr());
        assertEquals(502 << 9, req.sndWnd());
        assertTrue(req.forwardBeforeCommit(), "a GET without a body may reach the web server before the commit");

        // A client segment during the handoff is held, then released with the rewrites.
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK, isn + 1 + part1.length() + part2.length(),
                serverIsn + 1, ts, null));
        // While the agent prepares, the reverse rule goes in: it matches nothing before the socket exists.
        await(() -> Cookies.kind(sb.installed.get(sb.installed.size() - 1).cookie()) == Cookies.Kind.SERVER_TO_CLIENT,
                "the reverse rule while the agent prepares");
        FlowRule rev = sb.installed.get(sb.installed.size() - 1);
        assertEquals(req.handoffId(), Cookies.connectionId(rev.cookie()));
        // The request's ACK goes to the switch after the reply's rule (and so after the barrier
        // that confirms it), never ahead of them on the first byte's path; and only once.
        int requestEnd = isn + 1 + part1.length() + part2.length();
        await(() -> indexOfAckTo(requestEnd) >= 0, "the request acknowledged");
        assertTrue(indexOfAckTo(requestEnd) > sb.sent.indexOf(rev), "the ACK after the reply's rule: " + sb.sent);
        assertEquals(1, sb.packets.stream().map(p -> Frame.parse(p.frame()))
                .filter(t -> t.kind() == Frame.Kind.TCP && t.ack() == requestEnd).count(), "one ACK of the request");
        assertEquals(mode.equals("nat"), rev.actions().contains(FlowAction.setIpv4Src(VIP)));
        assertTrue(rev.actions().contains(FlowAction.output(CLIENT_SWITCH_PORT)));
        int rulesBefore = sb.installed.size();
        engine.agentMessage(sessions.get("10.0.0.13"), new HandoffReady(req.handoffId()));
        api.next(HandoffCommit.class);
        await(() -> sb.installed.size() == rulesBefore + 1, "the forward rule after the commit");
        FlowRule fwd = sb.installed.get(rulesBefore);
        assertEquals(Cookies.Kind.CLIENT_TO_SERVER, Cookies.kind(fwd.cookie()));
        assertTrue(fwd.actions().contains(FlowAction.setEthDst(MacAddress.parse("00:00:00:00:00:13"))));
        assertEquals(mode.equals("nat"), fwd.actions().contains(FlowAction.setIpv4Dst(Ipv4Address.parse("10.0.0.13"))));
        assertTrue(fwd.actions().contains(FlowAction.output(5)));
        // The commit goes out first; the held segment follows the forward rule, with its rewrites.
        await(() -> sb.packets.get(sb.packets.size() - 1).actions().equals(fwd.actions()),
                "held segment released with the forward rewrites");

        engine.agentMessage(sessions.get("10.0.0.13"), new ConnectionClosed(req.handoffId(), 100, 200, 0));
        await(() -> !sb.removedByCookie.isEmpty(), "rules removed after the close report");
        assertEquals(Cookies.APP | req.handoffId(), sb.removedByCookie.get(0)[0]);
        java.util.Map<String, Object> stats = engine.stats().get();
        assertEquals(0L, stats.get("serverToClientPayloadBytes"));
        assertEquals(1L, ((java.util.Map<?, ?>) stats.get("handoffs")).get("ok"));
    }

    /**
     * The reverse rule goes in while the agent prepares, and the commit waits for it (a NAT reply
     * must never leave unrewritten). Client segments are held until the commit, then sent on at
     * once with the forward rewrites, as are those that come up before the forward rule is in.
     */
    @Test
    void theCommitWaitsForTheReverseRuleAndHeldSegmentsGoOnAtTheCommit() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        sb.holdRules = true;
        int isn = 70;
        String get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        int serverIsn = handshakeAndRequest(isn, get);
        HandoffRequest req = st.next(HandoffRequest.class);
        CompletableFuture<Void> reverse = heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT);
        FlowRule rev = sb.installed.get(sb.installed.size() - 1);
        assertEquals(Cookies.Kind.SERVER_TO_CLIENT, Cookies.kind(rev.cookie()));
        assertTrue(rev.actions().contains(FlowAction.setIpv4Src(VIP)));

        // A client segment while the agent prepares: held.
        int packetsBefore = sentOn().size();
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK, isn + 1 + get.length(), serverIsn + 1,
                TcpOptions.NONE, null));
        // Ready before the switch confirmed the reverse rule: no commit yet.
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(req.handoffId()));
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        assertNull(st.poll(HandoffCommit.class, 200), "no commit before the reverse rule is in");
        assertEquals(packetsBefore, sentOn().size(), "held before the commit");
        assertEquals(-1, indexOfAckTo(isn + 1 + get.length()), "the request is not acknowledged before its commit");
        reverse.complete(null);
        st.next(HandoffCommit.class);
        await(() -> indexOfAckTo(isn + 1 + get.length()) >= 0, "the request acknowledged with its commit");

        // Committed, the forward rule not confirmed: the held segment has gone on, and so does the next.
        CompletableFuture<Void> forward = heldInstallOf(Cookies.Kind.CLIENT_TO_SERVER);
        FlowRule fwd = sb.installed.get(sb.installed.size() - 1);
        assertEquals(Cookies.Kind.CLIENT_TO_SERVER, Cookies.kind(fwd.cookie()));
        await(() -> sentOn().size() == packetsBefore + 1, "the held segment sent on at the commit");
        assertEquals(fwd.actions(), sentOn().get(packetsBefore).actions());
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK, isn + 1 + get.length(), serverIsn + 1,
                TcpOptions.NONE, null));
        await(() -> sentOn().size() == packetsBefore + 2, "a segment before the rule's confirmation sent on");
        assertEquals(fwd.actions(), sentOn().get(packetsBefore + 1).actions());
        forward.complete(null);
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(fwd), installedWith(req.handoffId(), Cookies.Kind.CLIENT_TO_SERVER),
                "the forward rule installed once: no reinstall for segments before its confirmation");
        assertEquals(0L, engine.counters().rulesReinstated.sum());
        assertEquals(1L, ((java.util.Map<?, ?>) engine.stats().get().get("handoffs")).get("ok"));
    }

    /**
     * The reverse rule confirmed before the agent's ready: the commit goes at once (the agent
     * relays as soon as its socket is rebuilt), while the forward rule and the held segments wait
     * for the ready, since the server has no socket for them before it.
     */
    @Test
    void theCommitGoesWithTheReverseRulesConfirmationAndTheForwardRuleWaitsForTheReady() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        sb.holdRules = true;
        int isn = 90;
        String get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        int serverIsn = handshakeAndRequest(isn, get);
        HandoffRequest req = st.next(HandoffRequest.class);
        CompletableFuture<Void> reverse = heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT);
        int packetsBefore = sentOn().size();
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK, isn + 1 + get.length(), serverIsn + 1,
                TcpOptions.NONE, null));

        reverse.complete(null);
        assertEquals(req.handoffId(), st.next(HandoffCommit.class).handoffId(), "commit before the agent's ready");
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), installedWith(req.handoffId(), Cookies.Kind.CLIENT_TO_SERVER),
                "no forward rule before the server's socket exists");
        assertEquals(packetsBefore, sentOn().size(), "the client's segment still held");
        assertEquals(0L, engine.counters().handoffsOk.sum());

        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(req.handoffId()));
        CompletableFuture<Void> forward = heldInstallOf(Cookies.Kind.CLIENT_TO_SERVER);
        FlowRule fwd = sb.installed.get(sb.installed.size() - 1);
        await(() -> sentOn().size() == packetsBefore + 1, "the held segment sent on at the ready");
        assertEquals(fwd.actions(), sentOn().get(packetsBefore).actions());
        assertNull(st.poll(HandoffCommit.class, 200), "one commit only");
        forward.complete(null);
        await(() -> engine.counters().handoffsOk.sum() == 1, "the handoff counted");
    }

    /**
     * In dsr the rule toward the client goes in at its SYN, before the SYN-ACK. Once the switch
     * confirmed it, the server's replies (from the VIP, unrewritten) reach the client without a
     * connection rule, so the commit goes with the handoff request and does not wait for the
     * reply rule; the forward rule and held segments still wait for the agent's ready.
     */
    @Test
    void inDsrTheCommitGoesWithTheRequestOnceTheRuleTowardTheClientIsConfirmed() throws Exception {
        start("dsr");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        sb.holdRules = true;
        int isn = 70;
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, isn, 0, TcpOptions.NONE, null));
        await(() -> lastTcpTo(CLIENT_MAC) != null, "SYN-ACK");
        FlowRule toClient = sb.installed.stream().filter(r -> Cookies.kind(r.cookie()) == Cookies.Kind.L2
                && r.match().ethDst().equals(Optional.of(CLIENT_MAC))).findFirst().orElseThrow(
                () -> new AssertionError("a rule toward the client, sent before its SYN-ACK"));
        assertEquals(List.of(FlowAction.output(CLIENT_SWITCH_PORT)), toClient.actions());
        completeHeldInstall(toClient);
        int serverIsn = lastTcpTo(CLIENT_MAC).seq();
        String get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK | Frame.TCP_PSH, isn + 1, serverIsn + 1,
                TcpOptions.NONE, get));

        HandoffRequest req = st.next(HandoffRequest.class);
        assertEquals(req.handoffId(), st.next(HandoffCommit.class).handoffId(),
                "the commit right behind the request, the reply rule still unconfirmed");
        heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT); // still sent, as a pin; left unconfirmed
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), installedWith(req.handoffId(), Cookies.Kind.CLIENT_TO_SERVER),
                "no forward rule before the server's socket exists");

        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(req.handoffId()));
        heldInstallOf(Cookies.Kind.CLIENT_TO_SERVER).complete(null);
        await(() -> engine.counters().handoffsOk.sum() == 1, "the handoff counted at the ready");
        assertNull(st.poll(HandoffCommit.class, 200), "one commit only");
        assertEquals(1L, engine.counters().commitsWithRequest.sum());
    }

    /** Until the switch confirms the rule toward a dsr client, the commit waits for the reply rule, as in nat. */
    @Test
    void inDsrTheCommitWaitsForTheReplyRuleWhileTheRuleTowardTheClientIsUnconfirmed() throws Exception {
        start("dsr");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        sb.holdRules = true;
        int isn = 80;
        handshakeAndRequest(isn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        HandoffRequest req = st.next(HandoffRequest.class);
        assertNull(st.poll(HandoffCommit.class, 200), "no commit: nothing carries the server's replies yet");
        CompletableFuture<Void> reverse = heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT); // confirms the L2 rule too
        assertNull(st.poll(HandoffCommit.class, 200), "a rule confirmed after the dispatch changes nothing");
        reverse.complete(null);
        assertEquals(req.handoffId(), st.next(HandoffCommit.class).handoffId(), "the commit at the reply rule's confirmation");
        assertEquals(0L, engine.counters().commitsWithRequest.sum());
    }

    /** Completes the held install of exactly {@code rule}, leaving the others held. */
    private void completeHeldInstall(FlowRule rule) {
        java.util.Map.Entry<List<FlowRule>, CompletableFuture<Void>> e = sb.heldInstalls.stream()
                .filter(x -> x.getKey().contains(rule)).findFirst().orElseThrow(() -> new AssertionError("held: " + rule));
        sb.heldInstalls.remove(e);
        e.getValue().complete(null);
    }

    /**
     * A drop after an early commit still goes to another server (an agent drops only what it never
     * relayed); an agent gone after an early commit may have relayed, so its client gets a reset.
     */
    @Test
    void afterAnEarlyCommitADropIsRedispatchedButALostAgentResetsTheClient() throws Exception {
        start("nat");
        AgentInbox h1 = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        AgentInbox h2 = agent("10.0.0.12", "00:00:00:00:00:12", 4);
        String request = "GET /page HTTP/1.1\r\nHost: a\r\n\r\n";
        handshakeAndRequest(5, request);
        HandoffRequest first = h1.next(HandoffRequest.class);
        h1.next(HandoffCommit.class); // the recording switch confirms the reverse rule at once
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffDrop(first.handoffId(), DropReason.REPAIR_FAILED, "x"));
        HandoffRequest second = h2.next(HandoffRequest.class);
        assertEquals(first.handoffId(), second.handoffId(), "redispatched");
        h2.next(HandoffCommit.class);
        engine.agentGone(sessions.get("10.0.0.12"));
        await(() -> lastTcpTo(CLIENT_MAC).has(Frame.TCP_RST), "the client reset");
        assertEquals(1L, engine.counters().handoffsRedispatched.sum(), "not redispatched a second time");
        assertEquals(1L, engine.counters().handoffsFailed.sum());
        assertNull(h1.poll(HandoffRequest.class, 200), "the request did not go back to the first server");
    }

    /**
     * On a loop its host shares (and keeps running after the engine, to delete Baton's rules), a
     * closed engine does nothing more: a barrier reply that comes late commits nothing and
     * installs nothing.
     */
    @Test
    void aClosedEngineOnASharedLoopActsOnNoLateAnswer() throws Exception {
        io.netty.channel.EventLoopGroup shared = new io.netty.channel.nio.NioEventLoopGroup(1);
        try {
            BatonConfig config = ConfigLoader.parse(io.baton.controller.config.ConfigLoaderTest.GOOD, Path.of("/cfg"));
            engine = new BatonEngine(config, sb, null, shared.next());
            engine.start();
            AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
            sb.holdRules = true;
            handshakeAndRequest(130, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            HandoffRequest req = st.next(HandoffRequest.class);
            CompletableFuture<Void> reverse = heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT);
            engine.close();
            int installs = sb.installed.size();
            reverse.complete(null);
            engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(req.handoffId()));
            shared.next().submit(() -> { }).get(5, TimeUnit.SECONDS); // whatever was queued has run
            assertNull(st.poll(HandoffCommit.class, 200), "no commit from a closed engine");
            assertEquals(installs, sb.installed.size(), "no rule from a closed engine");
            assertFalse(shared.isShuttingDown(), "the host's loop lives on");
        } finally {
            engine = null;
            shared.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * After a (re)start every agent comes back at once: one that connects in the first seconds
     * takes connections before any heartbeat, where a server that returns later must rise first.
     */
    @Test
    void anAgentThatConnectsRightAfterTheStartTakesConnectionsBeforeAnyHeartbeat() throws Exception {
        start("nat");
        AgentInbox inbox = agent("10.0.0.11", "00:00:00:00:00:11", 3, 0);
        handshakeAndRequest(150, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertEquals(CLIENT_PORT, inbox.next(HandoffRequest.class).clientPort(), "handed to the agent at once");
        assertEquals(0L, engine.counters().dispatchRejected.sum());
    }

    private List<FlowRule> installedWith(long id, Cookies.Kind kind) {
        synchronized (sb.installed) {
            return sb.installed.stream().filter(r -> r.cookie() == Cookies.of(kind, id)).collect(java.util.stream.Collectors.toList());
        }
    }

    /**
     * The switch applies a rule before it confirms it, so a short exchange may pass and its agent
     * report the close before the confirmation: the rules then stay for the linger (the client's
     * last ACK must reach the server).
     */
    @Test
    void aCloseReportedBeforeTheForwardRulesConfirmationKeepsTheRulesForTheLinger() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        sb.holdRules = true;
        String get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        handshakeAndRequest(110, get);
        HandoffRequest req = st.next(HandoffRequest.class);
        heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT).complete(null);
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(req.handoffId()));
        st.next(HandoffCommit.class);
        CompletableFuture<Void> forward = heldInstallOf(Cookies.Kind.CLIENT_TO_SERVER);

        engine.agentMessage(sessions.get("10.0.0.11"), new ConnectionClosed(req.handoffId(), get.length(), 100, 0));
        forward.complete(null);
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        long closedAt = System.nanoTime();
        assertTrue(engine.connections().get().isEmpty(), "closed");
        assertTrue(List.copyOf(sb.removedByCookie).stream().noneMatch(r -> r[0] == (Cookies.APP | req.handoffId())),
                "the rules stay for the linger");
        await(() -> List.copyOf(sb.removedByCookie).stream().anyMatch(r -> r[0] == (Cookies.APP | req.handoffId())),
                "the rules removed after the linger");
        assertTrue(System.nanoTime() - closedAt > TimeUnit.MILLISECONDS.toNanos(1500), "not before the linger");
    }

    /**
     * A client that lets the server close first may reuse its port at once, while the last
     * connection's rules linger: its new SYN is answered only once the switch has removed them,
     * or its ACK would follow them to the old server's TIME_WAIT socket.
     */
    @Test
    void aSynOnThePortOfALingeringConnectionIsAnsweredOnceItsRulesAreGone() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        long id = handOffAndClose(st, 130, CloseReason.NORMAL);

        sb.holdRemovals = true;
        int packetsBefore = sb.packets.size();
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, 5000, 0, TcpOptions.NONE, null));
        java.util.Map.Entry<Long, CompletableFuture<Void>> removal = sb.heldRemovals.poll(5, TimeUnit.SECONDS);
        assertNotNull(removal, "the lingering rules removed at the new SYN");
        assertEquals(Cookies.APP | id, removal.getKey());
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        assertEquals(packetsBefore, sb.packets.size(), "no SYN-ACK while the old rules may still be in the switch");

        long confirmed = System.nanoTime();
        removal.getValue().complete(null);
        await(() -> {
            Frame f = lastTcpTo(CLIENT_MAC);
            return f != null && f.has(Frame.TCP_SYN) && f.ack() == 5001;
        }, "the SYN-ACK once they are gone");
        // Not at once: OVS confirms a removal before its datapath's cached flows are purged.
        assertTrue(System.nanoTime() - confirmed >= HandoffCoordinator.DATAPATH_SETTLE_MILLIS * 1_000_000L,
                "the switch's flow cache is given time to forget the old rules");
        assertEquals(1L, engine.counters().portsReused.sum());
        assertEquals(1L, engine.connections().get().size(), "the new connection, in its handshake");
    }

    private static final String SHORT_GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    /** Hands one connection (client ISN {@code clientIsn}, the usual client port) off to 10.0.0.11; its id. */
    private long handOff(AgentInbox st, int clientIsn) throws Exception {
        handshakeAndRequest(clientIsn, SHORT_GET);
        HandoffRequest req = st.next(HandoffRequest.class);
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(req.handoffId()));
        st.next(HandoffCommit.class);
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        return req.handoffId();
    }

    /** {@link #handOff}, then its agent reports it closed with {@code reason}. */
    private long handOffAndClose(AgentInbox st, int clientIsn, CloseReason reason) throws Exception {
        long id = handOff(st, clientIsn);
        engine.agentMessage(sessions.get("10.0.0.11"), new ConnectionClosed(id, SHORT_GET.length(), 100, reason));
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        return id;
    }

    /**
     * The server closed first and the client acknowledged its FIN before sending its own: the
     * server's side is in TIME_WAIT and needs nothing more from the client. The forward rule goes
     * at once, the reply rule stays for the linger; a SYN on the same port once the switch
     * confirmed the removal (and its cached flows had time to follow) is answered at once.
     */
    @Test
    void aFinishedConnectionsPortIsTakenAgainAtOnce() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        long id = handOffAndClose(st, 140, CloseReason.FINISHED);
        long forward = Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, id);
        await(() -> List.copyOf(sb.removedByCookie).stream().anyMatch(r -> r[0] == forward && r[1] == -1L),
                "the forward rule, alone, removed at the close");
        assertTrue(List.copyOf(sb.removedByCookie).stream().noneMatch(r -> r[0] == (Cookies.APP | id)),
                "the reply rule stays for the server's last ACK");

        Thread.sleep(HandoffCoordinator.DATAPATH_SETTLE_MILLIS + 10);
        sb.holdRemovals = true; // the reply rule's removal is never confirmed: nothing waits for it
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, 5000, 0, TcpOptions.NONE, null));
        await(() -> {
            Frame f = lastTcpTo(CLIENT_MAC);
            return f != null && f.has(Frame.TCP_SYN) && f.ack() == 5001;
        }, "the SYN-ACK at once");
        java.util.Map.Entry<Long, CompletableFuture<Void>> removal = sb.heldRemovals.poll(5, TimeUnit.SECONDS);
        assertNotNull(removal, "the old reply rule removed at the new SYN");
        assertEquals(Cookies.APP | id, removal.getKey());
        assertEquals(1L, engine.counters().portsReused.sum());
        assertEquals(1L, engine.counters().portsReusedAtOnce.sum());
    }

    /**
     * The client saw the server's side finish and opened its next connection on the same port
     * before the agent's close report reached the controller: that SYN is not the handed-off
     * connection's and is not sent on to its server (whose TIME_WAIT socket would give it to the
     * web server's listener, past Baton). It waits for the close report, then is answered as on
     * any reused port.
     */
    @Test
    void aSynOfTheNextConnectionBeforeTheCloseReportWaitsForIt() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        long id = handOff(st, 160);
        assertEquals(io.baton.controller.connection.ConnectionState.HANDED_OFF,
                engine.connections().get(5, TimeUnit.SECONDS).get(0).state());

        int packetsBefore = sb.packets.size();
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, 9000, 0, TcpOptions.NONE, null));
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        assertEquals(packetsBefore, sb.packets.size(), "neither sent on to the server nor answered");
        assertEquals(1L, engine.counters().synsBeforeTheClose.sum());

        engine.agentMessage(sessions.get("10.0.0.11"), new ConnectionClosed(id, SHORT_GET.length(), 100,
                CloseReason.FINISHED));
        await(() -> {
            Frame f = lastTcpTo(CLIENT_MAC);
            return f != null && f.has(Frame.TCP_SYN) && f.ack() == 9001;
        }, "the SYN-ACK once the close is reported and the old rules are gone");
        assertEquals(1L, engine.counters().portsReused.sum());
        assertTrue(sb.packets.stream().skip(packetsBefore).map(p -> Frame.parse(p.frame()))
                .noneMatch(f -> f.kind() == Frame.Kind.TCP && !f.ethDst().equals(CLIENT_MAC)),
                "nothing of it went to the server");
    }

    /** Until the switch confirms that a finished connection's forward rule is gone, a reused port waits as before. */
    @Test
    void aFinishedConnectionsPortWaitsWhileItsForwardRuleIsNotConfirmedGone() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        sb.holdRemovals = true;
        long id = handOffAndClose(st, 150, CloseReason.FINISHED);
        java.util.Map.Entry<Long, CompletableFuture<Void>> forward = sb.heldRemovals.poll(5, TimeUnit.SECONDS);
        assertNotNull(forward);
        assertEquals(Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, id), forward.getKey());

        Thread.sleep(HandoffCoordinator.DATAPATH_SETTLE_MILLIS + 10);
        int packetsBefore = sb.packets.size();
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, 5000, 0, TcpOptions.NONE, null));
        java.util.Map.Entry<Long, CompletableFuture<Void>> all = sb.heldRemovals.poll(5, TimeUnit.SECONDS);
        assertNotNull(all, "the lingering rules removed at the new SYN");
        assertEquals(Cookies.APP | id, all.getKey());
        engine.ask(() -> null).get(5, TimeUnit.SECONDS);
        assertEquals(packetsBefore, sb.packets.size(), "no SYN-ACK while the old forward rule may still be in the switch");
        all.getValue().complete(null);
        await(() -> {
            Frame f = lastTcpTo(CLIENT_MAC);
            return f != null && f.has(Frame.TCP_SYN) && f.ack() == 5001;
        }, "the SYN-ACK once they are gone");
        assertEquals(0L, engine.counters().portsReusedAtOnce.sum());
    }

    /**
     * The agent dies between the commit and the forward rule's confirmation: the connection went
     * with its socket, so its rules go at once, and the late confirmation does not bring it back.
     */
    @Test
    void anAgentThatDiesBeforeTheForwardRuleIsConfirmedTakesItsConnectionWithIt() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        sb.holdRules = true;
        handshakeAndRequest(90, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        HandoffRequest req = st.next(HandoffRequest.class);
        heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT).complete(null);
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(req.handoffId()));
        st.next(HandoffCommit.class);
        CompletableFuture<Void> forward = heldInstallOf(Cookies.Kind.CLIENT_TO_SERVER);

        engine.agentGone(sessions.get("10.0.0.11"));
        await(() -> List.copyOf(sb.removedByCookie).stream().anyMatch(c -> c[0] == (Cookies.APP | req.handoffId())),
                "its rules removed at once");
        await(() -> engine.counters().connectionsLostWithServer.sum() == 1, "counted as lost with its server");
        assertTrue(engine.connections().get().isEmpty(), "forgotten");

        int removals = sb.removedByCookie.size();
        forward.complete(null);
        await(() -> sb.removedByCookie.size() > removals, "the late forward rule removed again");
        assertTrue(engine.connections().get().isEmpty(), "the confirmation does not bring it back");
        assertEquals(0L, engine.counters().handoffsFailed.sum(), "committed: not a failed handoff");
    }

    /**
     * A client without TCP options: SYN, the SYN-ACK awaited, then {@code request} in one segment.
     * Returns the controller's ISN.
     */
    private int handshakeAndRequest(int isn, String request) throws InterruptedException {
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, isn, 0, TcpOptions.NONE, null));
        await(() -> lastTcpTo(CLIENT_MAC) != null, "SYN-ACK");
        int serverIsn = lastTcpTo(CLIENT_MAC).seq();
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK | Frame.TCP_PSH, isn + 1, serverIsn + 1,
                TcpOptions.NONE, request));
        return serverIsn;
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> requestsAndWhetherTheyMayGoBeforeTheCommit() {
        return java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", true),
                org.junit.jupiter.params.provider.Arguments.of(
                        "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", false),
                org.junit.jupiter.params.provider.Arguments.of("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n", false),
                org.junit.jupiter.params.provider.Arguments.of(
                        "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\n\r\n", false));
    }

    /**
     * Only a whole request that is safe to repeat may reach the web server before the commit: a
     * handoff given back then goes to another server, which sees the request a second time.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("requestsAndWhetherTheyMayGoBeforeTheCommit")
    void onlyAWholeRequestSafeToRepeatMayReachTheWebServerBeforeTheCommit(String request, boolean early)
            throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        handshakeAndRequest(300, request);
        HandoffRequest req = st.next(HandoffRequest.class);
        assertEquals(request, new String(req.data(), StandardCharsets.US_ASCII), "every byte received goes with it");
        assertEquals(early, req.forwardBeforeCommit());
    }

    /** An operator whose GETs have side effects turns it off: then no request reaches a server early. */
    @Test
    void withForwardingBeforeTheCommitTurnedOffNoRequestGoesEarly() throws Exception {
        BatonConfig config = ConfigLoader.parse(io.baton.controller.config.ConfigLoaderTest.GOOD.replace(
                "\"secretFile\": \"/etc/baton/secret\"", "\"secretFile\": \"/etc/baton/secret\", \"forwardBeforeCommit\": false"),
                Path.of("/cfg"));
        engine = new BatonEngine(config, sb);
        engine.start();
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        handshakeAndRequest(300, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertFalse(st.next(HandoffRequest.class).forwardBeforeCommit());
    }

    /** Hands a request to h1 (the first round-robin choice) and commits it there; returns the handoff. */
    private HandoffRequest committedOnTheFirstServer(AgentInbox h1, String request) throws Exception {
        handshakeAndRequest(5, request);
        HandoffRequest first = h1.next(HandoffRequest.class);
        h1.next(HandoffCommit.class); // the recording switch confirms the reverse rule at once
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(first.handoffId()));
        await(() -> sb.installed.stream().anyMatch(r -> r.cookie() == Cookies.of(Cookies.Kind.CLIENT_TO_SERVER,
                first.handoffId())), "the forward rule");
        return first;
    }

    private void replyRuleCounts(long id, long packets) {
        sb.statsTable = () -> List.of(new io.baton.flowrules.api.FlowStatsEntry(
                Cookies.of(Cookies.Kind.SERVER_TO_CLIENT, id), FlowRuleFactory.PRIORITY_CONNECTION,
                io.baton.flowrules.api.FlowMatch.any(), packets, packets * 66, 1, 60, 0));
    }

    /**
     * Issue 7's stretch: the server of a committed GET dies before sending the client anything (its
     * reply rule counted no packet, twice): the same request, with the same TCP state, goes to
     * another server, and the client never notices.
     */
    @Test
    void aGetWhoseServerDiedBeforeSendingAnythingGoesToAnotherServer() throws Exception {
        start("nat");
        AgentInbox h1 = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        AgentInbox h2 = agent("10.0.0.12", "00:00:00:00:00:12", 4);
        String request = "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n";
        HandoffRequest first = committedOnTheFirstServer(h1, request);
        replyRuleCounts(first.handoffId(), 0);
        int removalsBefore = sb.removedByCookie.size();
        int statsBefore = sb.statsRequests.get();
        engine.agentGone(sessions.get("10.0.0.11"));

        HandoffRequest again = h2.next(HandoffRequest.class);
        assertEquals(first.handoffId(), again.handoffId());
        assertEquals(Ipv4Address.parse("10.0.0.12").toInt(), again.localIpv4(), "to the other server");
        assertEquals(first.sendSeq(), again.sendSeq(), "the client has seen no byte from the first server");
        assertEquals(first.recvSeq(), again.recvSeq());
        assertEquals(request, new String(again.data(), StandardCharsets.US_ASCII), "the same request");
        assertEquals(2, sb.statsRequests.get() - statsBefore, "the reply rule's count was read twice");
        assertTrue(sb.removedByCookie.size() > removalsBefore, "the first server's rules went first");
        assertEquals(Cookies.APP | first.handoffId(), sb.removedByCookie.get(removalsBefore)[0]);
        h2.next(HandoffCommit.class);
        engine.agentMessage(sessions.get("10.0.0.12"), new HandoffReady(again.handoffId()));
        await(() -> sb.installed.stream().anyMatch(r -> r.cookie() == Cookies.of(Cookies.Kind.CLIENT_TO_SERVER,
                first.handoffId()) && r.actions().contains(FlowAction.setIpv4Dst(Ipv4Address.parse("10.0.0.12")))),
                "the forward rule to the second server");
        assertEquals(1L, engine.counters().handoffsRescued.sum());
        assertEquals(0L, engine.counters().connectionsLostWithServer.sum());
        Frame last = lastTcpTo(CLIENT_MAC);
        assertFalse(last != null && last.has(Frame.TCP_RST), "the client was not reset");

        // The first server comes back still holding the connection: it is aborted there.
        AgentInbox back = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        engine.agentMessage(sessions.get("10.0.0.11"), new io.baton.handoff.protocol.LiveConnections(List.of(
                new io.baton.handoff.protocol.LiveConnections.Entry(first.handoffId(), CLIENT.toInt(), CLIENT_PORT,
                        Ipv4Address.parse("10.0.0.11").toInt(), 80)), true));
        HandoffMessage m;
        do {
            m = back.messages.poll(5, TimeUnit.SECONDS);
            assertNotNull(m, "an abort for the connection it still holds");
        } while (!(m instanceof HandoffAbort));
        assertEquals(first.handoffId(), ((HandoffAbort) m).handoffId());
        assertEquals(1L, engine.counters().zombiesAborted.sum());
    }

    /** A server that sent anything (one packet is enough), or a request not safe to repeat: the client is reset. */
    @ParameterizedTest
    @ValueSource(strings = {"answered", "post"})
    void aConnectionWhoseServerMayHaveAnsweredIsLostWithIt(String how) throws Exception {
        start("nat");
        AgentInbox h1 = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        AgentInbox h2 = agent("10.0.0.12", "00:00:00:00:00:12", 4);
        String request = how.equals("post")
                ? "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n" : "GET /slow HTTP/1.1\r\nHost: a\r\n\r\n";
        HandoffRequest first = committedOnTheFirstServer(h1, request);
        replyRuleCounts(first.handoffId(), how.equals("answered") ? 1 : 0);
        int statsBefore = sb.statsRequests.get();
        engine.agentGone(sessions.get("10.0.0.11"));
        await(() -> engine.counters().connectionsLostWithServer.sum() == 1, "the connection lost with its server");
        assertNull(h2.poll(HandoffRequest.class, 1500), "not handed to another server");
        assertEquals(0L, engine.counters().handoffsRescued.sum());
        assertEquals(how.equals("post") ? 0 : 1, sb.statsRequests.get() - statsBefore, "a POST's count is not even read");
    }

    private static final MacAddress H1_MAC = MacAddress.parse("00:00:00:00:00:11");
    private static final Ipv4Address H1 = Ipv4Address.parse("10.0.0.11");

    /** A segment from h1's port 80 to the client, as h1's kernel sends it in nat mode (from its own address). */
    private static byte[] fromH1(int clientPort, HandoffRequest r, String data) {
        return FrameBuilder.tcp(H1_MAC, CLIENT_MAC, H1, CLIENT, 80, clientPort, r.sendSeq(), r.recvSeq(),
                Frame.TCP_ACK | Frame.TCP_PSH, 502, TcpOptions.NONE, data.getBytes(StandardCharsets.US_ASCII));
    }

    private List<PacketOut> packetsSentSince(int index) {
        List<PacketOut> all = List.copyOf(sb.packets);
        return all.subList(index, all.size());
    }

    /**
     * OVS confirms a reply rule by barrier before its cached datapath flows know the rule; a reply
     * that such a flow sent up (a flow left wide on the ports by an earlier packet that no rule
     * matched) goes on to the client with the rule's rewrites, not as plain traffic from the
     * server's own address, which the client would reset.
     */
    @Test
    void aReplySegmentTheSwitchSendsUpGoesOnToTheClientRewritten() throws Exception {
        start("nat");
        AgentInbox h1 = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        HandoffRequest first = committedOnTheFirstServer(h1, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        int before = sb.packets.size();
        byte[] reply = fromH1(CLIENT_PORT, first, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        engine.packetIn(SW, 3, reply);
        await(() -> engine.counters().serverSegmentsSentOn.sum() == 1, "the reply sent on");
        List<PacketOut> out = packetsSentSince(before);
        assertEquals(1, out.size(), out.toString());
        assertEquals(List.of(FlowAction.setEthSrc(VMAC), FlowAction.setIpv4Src(VIP), FlowAction.output(CLIENT_SWITCH_PORT)),
                out.get(0).actions());
        assertTrue(java.util.Arrays.equals(reply, out.get(0).frame()), "the segment itself");
        assertFalse(sb.installed.stream().anyMatch(r -> Cookies.kind(r.cookie()) == Cookies.Kind.L2
                && r.match().ethDst().equals(Optional.of(CLIENT_MAC))), "no plain forwarding toward the client learnt");
    }

    /**
     * A server back from the dead still sends into a connection the controller gave up while it
     * held it: the segment is dropped, neither forwarded unrewritten nor learnt from; other traffic
     * from the same server's port 80 (not through a VIP) is still forwarded as usual.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lost with its server", "failed after the commit went out"})
    void aSegmentFromAServerIntoAConnectionGivenUpWhileItHeldItIsDropped(String how) throws Exception {
        start("nat");
        AgentInbox h1 = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        agent("10.0.0.12", "00:00:00:00:00:12", 4);
        HandoffRequest first;
        if (how.startsWith("lost")) {
            first = committedOnTheFirstServer(h1, "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
            engine.agentGone(sessions.get("10.0.0.11"));
            await(() -> engine.counters().connectionsLostWithServer.sum() == 1, "the connection lost with its server");
        } else {
            // The agent had the commit (sent with the reverse rule's confirmation) but never said ready.
            handshakeAndRequest(5, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            first = h1.next(HandoffRequest.class);
            h1.next(HandoffCommit.class);
            engine.agentGone(sessions.get("10.0.0.11"));
            await(() -> engine.counters().handoffsFailed.sum() == 1, "the handoff failed");
        }
        Thread.sleep(100); // the client is reset or probed once the rules are gone
        // The switch itself drops what the server still sends into it, whatever it learnt meanwhile.
        FlowRule quarantine = sb.installed.stream().filter(r -> Cookies.kind(r.cookie()) == Cookies.Kind.QUARANTINE)
                .findFirst().orElseThrow(() -> new AssertionError("no quarantine rule: " + sb.installed));
        assertEquals(first.handoffId(), Cookies.connectionId(quarantine.cookie()));
        assertEquals(List.of(), quarantine.actions(), "drop");
        assertEquals(Optional.of(Ipv4Address.parse("10.0.0.11")), quarantine.match().ipv4Src());
        assertEquals(Optional.of(CLIENT_PORT), quarantine.match().tcpDst());
        assertEquals(1L, engine.counters().connectionsQuarantined.sum());
        int before = sb.packets.size();
        int rulesBefore = sb.installed.size();
        engine.packetIn(SW, 3, fromH1(CLIENT_PORT, first, "HTTP/1.1 200 OK\r\n\r\n"));
        await(() -> engine.counters().strayServerSegmentsDropped.sum() == 1, "the stray segment dropped");
        byte[] plain = fromH1(CLIENT_PORT + 1, first, "HTTP/1.1 200 OK\r\n\r\n");
        engine.packetIn(SW, 3, plain);
        await(() -> packetsSentSince(before).stream().anyMatch(p -> java.util.Arrays.equals(plain, p.frame())),
                "plain traffic forwarded");
        assertEquals(1, packetsSentSince(before).size(), "only the plain segment went anywhere: " + packetsSentSince(before));
        assertEquals(1L, engine.counters().strayServerSegmentsDropped.sum());
        assertEquals(0L, engine.counters().serverSegmentsSentOn.sum());
        List<FlowRule> installed = List.copyOf(sb.installed);
        assertEquals(List.of(), installed.subList(rulesBefore, installed.size()),
                "no rule for either: no connection rule, and no plain forwarding toward the client learnt");
        assertEquals(List.of(FlowAction.output(CLIENT_SWITCH_PORT)), packetsSentSince(before).get(0).actions());
    }

    /** The next held install of one connection rule of {@code kind}; other installs are confirmed at once. */
    private CompletableFuture<Void> heldInstallOf(Cookies.Kind kind) throws InterruptedException {
        while (true) {
            java.util.Map.Entry<List<FlowRule>, CompletableFuture<Void>> e = sb.heldInstalls.poll(5, TimeUnit.SECONDS);
            assertNotNull(e, "an install of a " + kind + " rule");
            long cookie = e.getKey().get(0).cookie();
            if (e.getKey().size() == 1 && (cookie & Cookies.KIND_MASK) == (Cookies.of(kind, 0) & Cookies.KIND_MASK)) {
                return e.getValue();
            }
            e.getValue().complete(null);
        }
    }

    @Test
    void aDroppedHandoffWithNoOtherServerGetsA503AndFreesTheConnection() throws Exception {
        start("nat");
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        int isn = 5;
        handshakeAndRequest(isn, "GET / HTTP/1.0\r\n\r\n");
        HandoffRequest req = st.next(HandoffRequest.class);
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffDrop(req.handoffId(), DropReason.REPAIR_FAILED, "test"));
        await(() -> lastTcpTo(CLIENT_MAC).payloadLength() > 0, "an answer");
        Frame answer = lastTcpTo(CLIENT_MAC);
        String text = new String(answer.bytes(), answer.payloadOffset(), answer.payloadLength(), StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("HTTP/1.1 503"), "the only server gave it back: " + text);
        await(() -> {
            try {
                return engine.connections().get().isEmpty();
            } catch (Exception e) {
                return false;
            }
        }, "connection freed");
        assertEquals(1L, engine.counters().handoffsRedispatched.sum(), "another server was looked for");
        assertEquals(1L, engine.counters().handoffsFailed.sum());
    }

    @Test
    void aHandoffGivenBackBeforeCommitGoesToAnotherServerWithTheSameRequest() throws Exception {
        start("nat");
        AgentInbox h1 = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        AgentInbox h2 = agent("10.0.0.12", "00:00:00:00:00:12", 4);
        sb.holdRules = true; // no commit to the first server: its reverse rule is not confirmed
        int isn = 5;
        String request = "GET /page HTTP/1.1\r\nHost: a\r\n\r\n";
        handshakeAndRequest(isn, request);
        // Round robin starts with the first member; it gives the connection back (nginx down).
        HandoffRequest first = h1.next(HandoffRequest.class);
        CompletableFuture<Void> firstReverse = heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT);
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffDrop(first.handoffId(), DropReason.UPSTREAM_UNREACHABLE, "refused"));
        HandoffRequest second = h2.next(HandoffRequest.class);
        firstReverse.complete(null); // late: that attempt is over, and nothing goes to its agent
        heldInstallOf(Cookies.Kind.SERVER_TO_CLIENT).complete(null);
        assertEquals(first.handoffId(), second.handoffId(), "the same connection");
        assertEquals(request, new String(second.data(), StandardCharsets.US_ASCII), "the same request bytes");
        assertEquals(first.sendSeq(), second.sendSeq());
        assertEquals(Ipv4Address.parse("10.0.0.12").toInt(), second.localIpv4(), "bound to the new server");
        h2.next(HandoffCommit.class);
        engine.agentMessage(sessions.get("10.0.0.12"), new HandoffReady(second.handoffId()));
        heldInstallOf(Cookies.Kind.CLIENT_TO_SERVER).complete(null);
        await(() -> engine.counters().handoffsOk.sum() == 1, "the handoff counted");
        assertEquals(1L, engine.counters().handoffsRedispatched.sum());
        assertEquals(1L, engine.counters().handoffsOk.sum());
        assertEquals(0L, engine.counters().handoffsFailed.sum());
        // A late Ready from the first server is refused.
        engine.agentMessage(sessions.get("10.0.0.11"), new HandoffReady(first.handoffId()));
        h1.next(HandoffAbort.class);
    }

    @Test
    void noServerUpGivesA503AndNotHttpGivesAReset() throws Exception {
        start("nat");
        int isn = 5;
        handshakeAndRequest(isn, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        await(() -> lastTcpTo(CLIENT_MAC).payloadLength() > 0, "an answer");
        Frame answer = lastTcpTo(CLIENT_MAC);
        String text = new String(answer.bytes(), answer.payloadOffset(), answer.payloadLength(), StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("HTTP/1.1 503"), text);
        assertTrue(answer.has(Frame.TCP_FIN));

        engine.packetIn(SW, CLIENT_SWITCH_PORT + 1, FrameBuilder.tcp(CLIENT_MAC, VMAC, CLIENT, VIP, 40001, 80, 9, 0,
                Frame.TCP_SYN, 100, TcpOptions.NONE, null));
        await(() -> lastTcpTo(CLIENT_MAC).dstPort() == 40001, "SYN-ACK 2");
        int isn2 = lastTcpTo(CLIENT_MAC).seq();
        engine.packetIn(SW, CLIENT_SWITCH_PORT + 1, FrameBuilder.tcp(CLIENT_MAC, VMAC, CLIENT, VIP, 40001, 80, 10,
                isn2 + 1, Frame.TCP_ACK, 100, TcpOptions.NONE, new byte[] {0x16, 0x03, 0x01, 0, 5}));
        await(() -> lastTcpTo(CLIENT_MAC).has(Frame.TCP_RST), "RST for bytes that are not HTTP");
        assertEquals(1L, engine.counters().notHttp.sum());
    }

    @Test
    void synCookiesWhenTheHalfOpenTableIsFull() throws Exception {
        BatonConfig config = ConfigLoader.parse(io.baton.controller.config.ConfigLoaderTest.GOOD
                .replace("\"services\":", "\"frontend\": {\"maxHalfOpen\": 1}, \"services\":"), Path.of("/cfg"));
        engine = new BatonEngine(config, sb);
        engine.start();
        AgentInbox st = agent("10.0.0.11", "00:00:00:00:00:11", 3);
        engine.packetIn(SW, CLIENT_SWITCH_PORT, FrameBuilder.tcp(CLIENT_MAC, VMAC, CLIENT, VIP, 1, 80, 1, 0,
                Frame.TCP_SYN, 100, TcpOptions.NONE, null)); // fills the table
        TcpOptions syn = new TcpOptions(1460, 7, true, true, 4242, 0);
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, 500, 0, syn, null));
        await(() -> engine.counters().synCookiesSent.sum() == 1, "a cookie SYN-ACK");
        Frame cookie = lastTcpTo(CLIENT_MAC);
        assertEquals(CLIENT_PORT, cookie.dstPort());
        TcpOptions ts = TcpOptions.timestampsOnly(4243, cookie.options().tsVal());
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK | Frame.TCP_PSH, 501, cookie.seq() + 1, ts,
                "GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        HandoffRequest req = st.next(HandoffRequest.class);
        assertEquals(cookie.seq() + 1, req.sendSeq());
        assertEquals(501, req.recvSeq());
        assertEquals(7, req.sndWscale(), "window scale recovered from the echoed timestamp");
        assertTrue(req.sack());
        assertEquals(1L, engine.counters().synCookiesAccepted.sum());
        // The cookie client took the place of the half-open entry (so the bound of 1 held), then
        // left the half-open table by being handed off.
        assertEquals(1L, engine.counters().halfOpenEvicted.sum());
        assertEquals(0, ((java.util.Map<?, ?>) engine.stats().get().get("connections")).get("halfOpen"));
    }

    /** The client's SYN answered by one engine, which then dies; a second one gets the request. */
    private Frame synAnsweredByAnEngineThatDies(byte[] secret, TcpOptions syn, int isn) throws Exception {
        BatonConfig config = ConfigLoader.parse(io.baton.controller.config.ConfigLoaderTest.GOOD, Path.of("/cfg"));
        engine = new BatonEngine(config, sb, secret);
        engine.start();
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_SYN, isn, 0, syn, null));
        await(() -> lastTcpTo(CLIENT_MAC) != null, "SYN-ACK");
        Frame synAck = lastTcpTo(CLIENT_MAC);
        assertEquals(0L, engine.counters().synCookiesSent.sum(), "an ordinary SYN-ACK, with state kept");
        engine.close();
        engine = null;
        sb.packets.clear();
        return synAck;
    }

    private void restartWith(byte[] secret) throws Exception {
        BatonConfig config = ConfigLoader.parse(io.baton.controller.config.ConfigLoaderTest.GOOD, Path.of("/cfg"));
        engine = new BatonEngine(config, sb, secret);
        engine.start();
    }

    @Test
    void aControllerRestartedWithTheSameSecretServesTheRequestOfAHandshakeTheOldOneAnswered() throws Exception {
        byte[] secret = "the handoff secret".getBytes(StandardCharsets.US_ASCII);
        TcpOptions syn = new TcpOptions(1460, 9, true, true, 777, 0);
        Frame synAck = synAnsweredByAnEngineThatDies(secret, syn, 3000);

        restartWith(secret);
        AgentInbox api = agent("10.0.0.13", "00:00:00:00:00:13", 5);
        // The client never heard of the restart: its request (a retransmission) ACKs the old SYN-ACK.
        TcpOptions ts = TcpOptions.timestampsOnly(790, synAck.options().tsVal());
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK | Frame.TCP_PSH, 3001, synAck.seq() + 1, ts,
                "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n"));
        HandoffRequest req = api.next(HandoffRequest.class);
        assertEquals(synAck.seq() + 1, req.sendSeq());
        assertEquals(3001, req.recvSeq());
        assertEquals(1460, req.mss());
        assertEquals(9, req.sndWscale(), "the client's window scale, from the echoed timestamp");
        assertEquals(7, req.rcvWscale());
        assertTrue(req.sack() && req.timestamps());
        assertEquals(790, req.tsEcr());
        assertTrue(req.tsVal() - synAck.options().tsVal() >= 0, "the timestamp clock the client saw goes on");
        assertEquals(1L, engine.counters().synCookiesAccepted.sum());
        assertEquals(0L, engine.counters().resetsSent.sum());
    }

    @Test
    void aRestartedControllerWithAnotherSecretResetsSuchARequest() throws Exception {
        TcpOptions syn = new TcpOptions(1460, 9, true, true, 777, 0);
        Frame synAck = synAnsweredByAnEngineThatDies("one".getBytes(StandardCharsets.US_ASCII), syn, 3000);

        restartWith("another".getBytes(StandardCharsets.US_ASCII));
        agent("10.0.0.13", "00:00:00:00:00:13", 5);
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK | Frame.TCP_PSH, 3001, synAck.seq() + 1,
                TcpOptions.timestampsOnly(790, synAck.options().tsVal()), "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n"));
        await(() -> lastTcpTo(CLIENT_MAC) != null && lastTcpTo(CLIENT_MAC).has(Frame.TCP_RST), "a reset");
        assertEquals(0L, engine.counters().synCookiesAccepted.sum());
    }

    @Test
    void aHandshakeWhoseWindowScaleNoTimestampCarriesIsResetAfterARestart() throws Exception {
        byte[] secret = "the handoff secret".getBytes(StandardCharsets.US_ASCII);
        TcpOptions syn = new TcpOptions(1460, 9, true, false, 0, 0); // window scale, no timestamps
        Frame synAck = synAnsweredByAnEngineThatDies(secret, syn, 3000);
        assertEquals(7, synAck.options().windowScale(), "the stateful SYN-ACK still scales its window");

        restartWith(secret);
        agent("10.0.0.13", "00:00:00:00:00:13", 5);
        engine.packetIn(SW, CLIENT_SWITCH_PORT, clientSegment(Frame.TCP_ACK | Frame.TCP_PSH, 3001, synAck.seq() + 1,
                TcpOptions.NONE, "GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n"));
        await(() -> lastTcpTo(CLIENT_MAC) != null && lastTcpTo(CLIENT_MAC).has(Frame.TCP_RST),
                "a reset: the scale the client uses is unknown");
        assertEquals(1L, engine.counters().cookiesWithoutState.sum());
        assertEquals(0L, engine.counters().synCookiesAccepted.sum());
    }

    @Test
    void packetInsGoThroughMetersWhenTheSwitchHasThem() throws Exception {
        BatonConfig config = ConfigLoader.parse(io.baton.controller.config.ConfigLoaderTest.GOOD.replace("\"services\":",
                "\"packetInLimits\": {\"synPerSecond\": 300, \"vipPerSecond\": 900, \"otherPerSecond\": 0}, \"services\":"),
                Path.of("/cfg"));
        sb.supportsMeters = true;
        engine = new BatonEngine(config, sb);
        engine.start();
        await(() -> sb.installed.size() >= 3, "base rules");
        assertEquals(List.of(new Meter(FlowRuleFactory.METER_SYN, 300, 64), new Meter(FlowRuleFactory.METER_VIP, 900, 90)),
                sb.meters, "a meter per limit set, none for the unlimited kind");
        FlowRule miss = sb.installed.get(0);
        assertEquals(FlowRuleFactory.PRIORITY_TABLE_MISS, miss.priority());
        assertEquals(0, miss.meterId(), "other packet-ins unlimited");
        FlowRule syns = sb.installed.get(1);
        assertEquals(FlowRuleFactory.PRIORITY_VIP_SYN, syns.priority());
        assertEquals(FlowRuleFactory.METER_SYN, syns.meterId());
        assertEquals(Optional.of(0x002), syns.match().tcpFlags());
        assertEquals(Optional.of(VIP), syns.match().ipv4Dst());
        FlowRule rest = sb.installed.get(2);
        assertEquals(FlowRuleFactory.PRIORITY_VIP_INTERCEPT, rest.priority());
        assertEquals(FlowRuleFactory.METER_VIP, rest.meterId());
        assertEquals(Optional.empty(), rest.match().tcpFlags());
        assertEquals(0L, engine.counters().metersRefused.sum());
    }

    /**
     * The start's look at the switches already connected and a switch-up event for one of them
     * (ONOS adding a device as the app starts) prepare it once, not twice; a switch that goes
     * down and comes back is prepared again.
     */
    @Test
    void aSwitchThereAtTheStartThatAlsoSaysUpIsPreparedOnce() throws Exception {
        start("nat");
        engine.switchUp(SW);
        await(() -> tableMissRules() >= 1, "base rules");
        Thread.sleep(200);
        assertEquals(1, tableMissRules(), "one set of base rules: " + sb.installed);
        assertEquals(1L, engine.counters().metersRefused.sum(), "meters tried once");
        engine.switchDown(SW);
        engine.switchUp(SW);
        await(() -> tableMissRules() == 2, "prepared again after it went down and came back");
    }

    private long tableMissRules() {
        return sb.installed.stream().filter(r -> r.priority() == FlowRuleFactory.PRIORITY_TABLE_MISS).count();
    }

    @Test
    void aSwitchWithoutMetersGetsUnmeteredRules() throws Exception {
        sb.supportsMeters = false;
        start("nat");
        await(() -> sb.installed.size() >= 3, "base rules");
        assertEquals(1L, engine.counters().metersRefused.sum());
        assertEquals(3, sb.installed.size(), "table-miss, the SYN rule and one intercept: " + sb.installed);
        assertTrue(sb.installed.stream().allMatch(r -> r.meterId() == 0), sb.installed.toString());
        // SYNs come up even where a lingering connection rule matches their 4-tuple.
        assertTrue(sb.installed.get(1).priority() > FlowRuleFactory.PRIORITY_CONNECTION);
        assertEquals(Optional.of(0x002), sb.installed.get(1).match().tcpFlags());
    }
}
