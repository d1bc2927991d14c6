package io.baton.bench;

import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.handoff.protocol.HandoffRequest;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFCapabilities;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFFlowModCommand;
import org.projectfloodlight.openflow.protocol.OFHelloElem;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMessageReader;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.match.Match;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One emulated OpenFlow 1.3 switch over a real TCP connection, with its clients, in the spirit
 * of cbench: it answers the handshake, barriers and echoes, and plays its clients' side of TCP
 * through packet-ins. Per connection: SYN packet-in, the controller's SYN-ACK packet-out (its
 * ISN read back), ACK and request packet-ins; then the controller asks one of this switch's
 * agents to take the connection, installs the rules here (flow-mods and a barrier, answered
 * at once) and commits, which ends the connection's latency (first SYN to commit). It answers
 * the controller's ARP probes for its servers, which is how the controller learns where they are.
 *
 * <p>Every message is built and parsed by openflowj; frames by the controller's own
 * {@link FrameBuilder} and {@link Frame}. Everything runs on one event loop, shared with the
 * switch's agents: no locks.
 */
final class EmulatedSwitch {
    static final byte[] REQUEST = ("GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
            + "User-Agent: baton-controller-bench\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final OFMessageReader<OFMessage> READER = OFFactories.getGenericReader();
    private static final long SWEEP_MILLIS = 100;
    private static final long PACE_MILLIS = 1;
    private static final long PROBE_RETRY_MILLIS = 20;
    private static final int CONNECT_ATTEMPTS = 50;
    private static final long CONNECT_RETRY_MILLIS = 100;
    /** Linux's SYN window (64240 = 44 × 1460) and scale 7. */
    private static final int SYN_WINDOW = 64240;
    private static final int WINDOW_SCALE = 7;

    final int index;
    private final BenchTopology topo;
    private final EventLoop loop;
    private final long timeoutNanos;
    private final SplittableRandom random;
    private final Ipv4Address[] clientIps;
    private final MacAddress[] clientMacs;
    private final Match[] clientMatches;
    private final List<EmulatedAgent> agents = new ArrayList<>();
    private final CompletableFuture<Void> up = new CompletableFuture<>();
    private Channel channel;
    private BatchedWriter out;

    /** Connections waiting for an outcome, by slot; their count is the number in flight. */
    private final HashMap<Integer, ClientConnection> bySlot = new HashMap<>();
    private final HashMap<Long, ClientConnection> byHandoff = new HashMap<>();
    /** Walks the client × port space, so a tuple is reused only after all others were. */
    private long cursor;
    private Load load = Load.IDLE;
    private long startedUnderLoad;
    private long paceStartNanos;
    /** When {@link #pace} last ran (System.nanoTime), to see how late the next one is. */
    private long lastPaceNanos;
    private ScheduledFuture<?> pacer;
    private ScheduledFuture<?> sweeper;
    private SwitchStats stats = new SwitchStats();
    /** Readiness probe: one connection at a time until {@code streakTarget} succeed in a row. */
    private CompletableFuture<Void> probing;
    private int streak;
    private int streakTarget;

    EmulatedSwitch(int index, BenchTopology topo, EventLoop loop, long timeoutMillis, long seed) {
        this.index = index;
        this.topo = topo;
        this.loop = loop;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.random = new SplittableRandom(seed);
        stats.sinceNanos = System.nanoTime();
        int n = topo.clientsPerSwitch;
        clientIps = new Ipv4Address[n];
        clientMacs = new MacAddress[n];
        clientMatches = new Match[n];
        for (int c = 0; c < n; c++) {
            clientIps[c] = BenchTopology.clientIp(index, c);
            clientMacs[c] = BenchTopology.clientMac(index, c);
            clientMatches[c] = inPort(BenchTopology.clientSwitchPort(c));
        }
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * Connects (retrying for a few seconds: the controller opens its OpenFlow port last); the
     * future completes when the controller installed the base rules (the switch is up).
     */
    CompletableFuture<Void> connect(InetSocketAddress controller) {
        connect(controller, CONNECT_ATTEMPTS);
        return up;
    }

    private void connect(InetSocketAddress controller, int attemptsLeft) {
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Framing by the header's length field; parsing and writing by openflowj.
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(0xffff, 2, 2, -4, 0));
                        ch.pipeline().addLast(new MessageToMessageDecoder<ByteBuf>() {
                            @Override
                            protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> msgs)
                                    throws Exception {
                                msgs.add(READER.readFrom(in));
                            }
                        });
                        ch.pipeline().addLast(new MessageToByteEncoder<OFMessage>() {
                            @Override
                            protected void encode(ChannelHandlerContext ctx, OFMessage msg, ByteBuf buf) {
                                msg.writeTo(buf);
                            }
                        });
                        ch.pipeline().addLast(new Handler());
                    }
                });
        b.connect(controller).addListener(f -> {
            if (f.isSuccess()) {
                return;
            }
            if (attemptsLeft > 1) {
                loop.schedule(() -> connect(controller, attemptsLeft - 1), CONNECT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                up.completeExceptionally(f.cause());
            }
        });
    }

    /** Connects this switch's agents (one per server), on this switch's loop. */
    CompletableFuture<Void> connectAgents(InetSocketAddress handoff, byte[] secret) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int j = 0; j < topo.serversPerSwitch; j++) {
            EmulatedAgent a = new EmulatedAgent(this, BenchTopology.serverIp(index, j),
                    BenchTopology.serverMac(index, j), secret);
            agents.add(a);
            all.add(a.connect(handoff, loop));
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }

    // ---------------------------------------------------------------- control, from any thread

    void apply(Load l) {
        loop.execute(() -> applyNow(l));
    }

    /** Runs connections one at a time until {@code n} in a row succeed: every server is up and located. */
    CompletableFuture<Void> probeUntilReady(int n) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.execute(() -> {
            probing = f;
            streak = 0;
            streakTarget = n;
            applyNow(Load.closedLoop(1, true));
        });
        return f;
    }

    /** Starts a fresh count; completes with the time it started. */
    CompletableFuture<Long> resetStats() {
        CompletableFuture<Long> f = new CompletableFuture<>();
        loop.execute(() -> {
            stats = new SwitchStats();
            stats.sinceNanos = System.nanoTime();
            f.complete(stats.sinceNanos);
        });
        return f;
    }

    CompletableFuture<SwitchStats> stats() {
        CompletableFuture<SwitchStats> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(stats.copy()));
        return f;
    }

    CompletableFuture<Integer> inFlight() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(bySlot.size()));
        return f;
    }

    void close() {
        loop.execute(() -> applyNow(Load.IDLE));
        for (EmulatedAgent a : agents) {
            a.close();
        }
        if (channel != null) {
            channel.close();
        }
    }

    // ------------------------------------------------------------------------------ event loop

    private void applyNow(Load l) {
        load = l;
        startedUnderLoad = 0;
        if (pacer != null) {
            pacer.cancel(false);
            pacer = null;
        }
        if (l.paced()) {
            paceStartNanos = System.nanoTime();
            lastPaceNanos = paceStartNanos;
            pacer = loop.scheduleAtFixedRate(this::pace, PACE_MILLIS, PACE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            refill();
        }
    }

    private void refill() {
        while (bySlot.size() < load.window() && startedUnderLoad < load.limit()) {
            startedUnderLoad++;
            start();
        }
    }

    /** Starts every connection due by now at the load's rate; those beyond the in-flight bound are skipped. */
    private void pace() {
        long now = System.nanoTime();
        SwitchStats.record(stats.pacerLateMicros, Math.max(0, (now - lastPaceNanos) / 1000 - PACE_MILLIS * 1000));
        lastPaceNanos = now;
        long due = (long) ((now - paceStartNanos) * load.ratePerSecond() / 1e9);
        while (startedUnderLoad < due) {
            startedUnderLoad++;
            if (bySlot.size() < load.window()) {
                start();
            } else {
                stats.skipped++;
            }
        }
    }

    private void start() {
        int space = topo.clientsPerSwitch * BenchTopology.PORTS_PER_CLIENT;
        if (bySlot.size() >= space) {
            return;
        }
        ClientConnection c;
        do {
            long n = cursor++ % space;
            int client = (int) (n / BenchTopology.PORTS_PER_CLIENT);
            int port = BenchTopology.FIRST_CLIENT_PORT + (int) (n % BenchTopology.PORTS_PER_CLIENT);
            c = new ClientConnection(client, port, random.nextInt(), System.nanoTime());
        } while (bySlot.containsKey(c.slot));
        bySlot.put(c.slot, c);
        stats.started++;
        TcpOptions syn = new TcpOptions(1460, WINDOW_SCALE, true, true, tsNow(), 0);
        packetIn(clientMatches[c.client], segment(c, Frame.TCP_SYN, c.clientIsn, 0, SYN_WINDOW, syn, null),
                OFPacketInReason.ACTION);
    }

    private void onPacketOut(OFPacketOut po) {
        stats.packetOuts++;
        Frame f = Frame.parse(po.getData());
        if (f.isArpRequest()) {
            int j = topo.serverIndex(index, f.arpTargetIp().toInt());
            if (j >= 0) { // the controller looks for one of our servers: the server answers
                byte[] reply = FrameBuilder.arpReply(BenchTopology.serverMac(index, j), BenchTopology.serverIp(index, j),
                        f.arpSenderMac(), f.arpSenderIp());
                packetIn(inPort(BenchTopology.serverPort(j)), reply, OFPacketInReason.NO_MATCH);
            }
            return;
        }
        if (f.kind() != Frame.Kind.TCP) {
            return;
        }
        int ip = f.ipDst().toInt();
        ClientConnection c = BenchTopology.switchOfClient(ip) != index ? null
                : bySlot.get(ClientConnection.slot(BenchTopology.clientOf(ip), f.dstPort()));
        if (c == null) {
            stats.strays++;
            return;
        }
        if (f.has(Frame.TCP_RST)) {
            finish(c, Outcome.RESET);
        } else if (f.has(Frame.TCP_FIN)) {
            finish(c, Outcome.REFUSED);
        } else if (f.has(Frame.TCP_SYN) && f.has(Frame.TCP_ACK) && !c.synAcked) {
            onSynAck(c, f);
        }
        // otherwise the ACK of the request bytes: nothing to do
    }

    private void onSynAck(ClientConnection c, Frame f) {
        if (f.ack() != c.clientIsn + 1) {
            stats.mismatchedRequests++;
        }
        c.synAcked = true;
        c.synAckNanos = System.nanoTime();
        c.serverIsn = f.seq();
        c.tsEcr = f.options().tsVal();
        int seq = c.clientIsn + 1;
        int ack = c.serverIsn + 1;
        int window = SYN_WINDOW >> WINDOW_SCALE;
        packetIn(clientMatches[c.client], segment(c, Frame.TCP_ACK, seq, ack, window,
                TcpOptions.timestampsOnly(tsNow(), c.tsEcr), null), OFPacketInReason.ACTION);
        packetIn(clientMatches[c.client], segment(c, Frame.TCP_ACK | Frame.TCP_PSH, seq, ack, window,
                TcpOptions.timestampsOnly(tsNow(), c.tsEcr), REQUEST), OFPacketInReason.ACTION);
    }

    /** The controller asks one of our agents to take a connection; false if the bench knows none such. */
    boolean onHandoffRequest(HandoffRequest r) {
        int ip = r.clientIpv4();
        ClientConnection c = BenchTopology.switchOfClient(ip) != index ? null
                : bySlot.get(ClientConnection.slot(BenchTopology.clientOf(ip), r.clientPort()));
        if (c == null) {
            stats.strays++;
            return false;
        }
        if (r.recvSeq() != c.clientIsn + 1 || r.sendSeq() != c.serverIsn + 1 || r.dataLength() != REQUEST.length) {
            stats.mismatchedRequests++;
        }
        c.handoffId = r.handoffId();
        c.handoffRequestNanos = System.nanoTime();
        byHandoff.put(c.handoffId, c);
        return true;
    }

    /** The handoff is committed; true if the agent should report the connection closed now. */
    boolean onCommit(long handoffId) {
        ClientConnection c = byHandoff.get(handoffId);
        if (c == null) {
            stats.strays++;
            return false;
        }
        boolean close = load.close();
        finish(c, Outcome.OK);
        return close;
    }

    void onAbort(long handoffId) {
        ClientConnection c = byHandoff.get(handoffId);
        if (c != null) {
            finish(c, Outcome.ABORTED);
        }
    }

    /** An agent's connection ended: its handoffs will fail and be counted as such. */
    void agentLost(EmulatedAgent a) {
        stats.agentsLost++;
    }

    private void finish(ClientConnection c, Outcome o) {
        if (bySlot.remove(c.slot) != c) {
            return; // already finished
        }
        if (c.handoffId != 0) {
            byHandoff.remove(c.handoffId);
        }
        stats.count(o);
        if (o == Outcome.OK) {
            long now = System.nanoTime();
            long micros = (now - c.startNanos) / 1000;
            SwitchStats.record(stats.latencyMicros, micros);
            if (micros > SwitchStats.SLOW_MICROS) {
                SwitchStats.record(stats.slowSynAckMicros, (c.synAckNanos - c.startNanos) / 1000);
                SwitchStats.record(stats.slowHandoffRequestMicros, (c.handoffRequestNanos - c.synAckNanos) / 1000);
                SwitchStats.record(stats.slowCommitMicros, (now - c.handoffRequestNanos) / 1000);
            }
        }
        if (probing != null) {
            if (o != Outcome.OK) {
                streak = 0;
                loop.schedule(this::refill, PROBE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                return;
            }
            if (++streak >= streakTarget) {
                CompletableFuture<Void> done = probing;
                probing = null;
                applyNow(Load.IDLE);
                done.complete(null);
                return;
            }
        }
        if (!load.paced()) {
            refill();
        }
    }

    /** Gives up on connections older than the timeout (a lost SYN-ACK would otherwise hold a window slot). */
    private void sweep() {
        long deadline = System.nanoTime() - timeoutNanos;
        List<ClientConnection> late = null;
        for (ClientConnection c : bySlot.values()) {
            if (c.startNanos - deadline < 0) {
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(c);
            }
        }
        if (late != null) {
            for (ClientConnection c : late) {
                finish(c, Outcome.TIMEOUT);
            }
        }
    }

    private byte[] segment(ClientConnection c, int flags, int seq, int ack, int window, TcpOptions opts, byte[] data) {
        return FrameBuilder.tcp(clientMacs[c.client], BenchTopology.VMAC, clientIps[c.client], BenchTopology.VIP,
                c.port, BenchTopology.VIP_PORT, seq, ack, flags, window, opts, data);
    }

    private void packetIn(Match match, byte[] frame, OFPacketInReason reason) {
        stats.packetIns++;
        out.write(OF13.buildPacketIn()
                .setXid(0)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setTotalLen(frame.length)
                .setReason(reason)
                .setTableId(TableId.of(0))
                .setCookie(U64.ZERO)
                .setMatch(match)
                .setData(frame)
                .build());
    }

    private static Match inPort(int port) {
        return OF13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port)).build();
    }

    private static int tsNow() {
        return (int) (System.nanoTime() / 1_000_000L);
    }

    /** The switch's side of the OpenFlow connection. */
    private final class Handler extends SimpleChannelInboundHandler<OFMessage> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            out = new BatchedWriter(channel);
            OFHelloElem bitmap = OF13.buildHelloElemVersionbitmap()
                    .setBitmaps(Collections.singletonList(U32.of(1 << OFVersion.OF_13.getWireVersion()))).build();
            out.write(OF13.buildHello().setXid(1).setElements(Collections.singletonList(bitmap)).build());
            sweeper = loop.scheduleAtFixedRate(EmulatedSwitch.this::sweep, SWEEP_MILLIS, SWEEP_MILLIS,
                    TimeUnit.MILLISECONDS);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, OFMessage m) {
            switch (m.getType()) {
                case FEATURES_REQUEST:
                    out.write(OF13.buildFeaturesReply().setXid(m.getXid()).setDatapathId(DatapathId.of(BenchTopology.dpid(index)))
                            .setNBuffers(0).setNTables((short) 254)
                            .setCapabilities(EnumSet.of(OFCapabilities.FLOW_STATS)).build());
                    break;
                case BARRIER_REQUEST:
                    stats.barriers++;
                    out.write(OF13.buildBarrierReply().setXid(((OFBarrierRequest) m).getXid()).build());
                    break;
                case ECHO_REQUEST:
                    out.write(OF13.buildEchoReply().setXid(m.getXid()).setData(((OFEchoRequest) m).getData()).build());
                    break;
                case FLOW_MOD:
                    OFFlowModCommand cmd = ((OFFlowMod) m).getCommand();
                    if (cmd == OFFlowModCommand.ADD) {
                        stats.flowModsAdd++;
                    } else if (cmd == OFFlowModCommand.DELETE || cmd == OFFlowModCommand.DELETE_STRICT) {
                        stats.flowModsDelete++;
                    }
                    up.complete(null); // the base rules: the controller saw the switch up
                    break;
                case PACKET_OUT:
                    onPacketOut((OFPacketOut) m);
                    break;
                default:
                    break; // hello, set-config
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            sweeper.cancel(false);
            applyNow(Load.IDLE);
            up.completeExceptionally(new IllegalStateException("switch " + index + ": controller closed the connection"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            up.completeExceptionally(cause);
            ctx.close();
        }
    }
}
