package io.baton.controller.openflow;

import static io.baton.controller.openflow.FakeSwitch.OF13;
import static io.baton.controller.openflow.RecordingListener.take;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.baton.controller.southbound.SouthboundException;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import io.baton.flowrules.openflow.OpenFlow13Translator;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDelete;
import org.projectfloodlight.openflow.protocol.OFFlowDeleteStrict;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFSetConfig;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFErrorCauseData;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The embedded controller against real OpenFlow peers over loopback TCP ({@link FakeSwitch}). */
class OpenFlowControllerTest {
    private static final long COOKIE = 0xBA70_0000_0000_0001L;
    private static final long WAIT = 3000;

    private OpenFlowController controller;
    private RecordingListener events;
    private int port;
    private final List<FakeSwitch> fakes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        try {
            for (FakeSwitch f : fakes) {
                f.close();
            }
        } finally {
            if (controller != null) {
                controller.stop();
            }
        }
    }

    private void start(OpenFlowControllerConfig.Builder b) {
        controller = new OpenFlowController(b.bindAddress("127.0.0.1").port(0).build());
        events = new RecordingListener();
        controller.addListener(events);
        port = controller.start().getPort();
    }

    private void start() {
        start(OpenFlowControllerConfig.builder().requestTimeout(Duration.ofSeconds(2)));
    }

    private FakeSwitch connect(long dpid) throws InterruptedException {
        FakeSwitch f = FakeSwitch.connect(port, dpid);
        fakes.add(f);
        return f;
    }

    private FakeSwitch connect(long dpid, OFMessage hello) throws InterruptedException {
        FakeSwitch f = FakeSwitch.connect(port, dpid, hello);
        fakes.add(f);
        return f;
    }

    /** Connects a fake switch and waits until the controller says it is up. */
    private FakeSwitch up(long dpid) throws InterruptedException {
        FakeSwitch f = connect(dpid);
        assertEquals(SwitchId.of(dpid), take(events.ups, WAIT, "switchUp"));
        f.drain();
        return f;
    }

    private static FlowRule rule(int priority, int outPort) {
        return FlowRule.builder()
                .match(FlowMatch.builder().tcp().ipv4Src(Ipv4Address.parse("10.0.0.1"))
                        .ipv4Dst(Ipv4Address.parse("10.0.0.100")).tcpSrc(40000 + priority).tcpDst(80).build())
                .actions(FlowAction.setEthDst(MacAddress.parse("02:00:00:00:00:02")),
                        FlowAction.setIpv4Dst(Ipv4Address.parse("10.0.0.2")), FlowAction.output(outPort))
                .priority(priority).cookie(COOKIE).idleTimeoutSeconds(30)
                .build();
    }

    private static FlowRule tableMiss() {
        return FlowRule.builder().priority(0).cookie(COOKIE + 1).actions(FlowAction.toController()).build();
    }

    private static OFMessage packetIn(int inPort, byte[] frame) {
        return OF13.buildPacketIn()
                .setXid(0)
                .setBufferId(OFBufferId.NO_BUFFER)
                .setTotalLen(frame.length)
                .setReason(OFPacketInReason.NO_MATCH)
                .setTableId(TableId.of(0))
                .setCookie(U64.ZERO)
                .setMatch(OF13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(inPort)).build())
                .setData(frame)
                .build();
    }

    private static byte[] frame(int size, int seed) {
        byte[] f = new byte[size];
        for (int i = 0; i < size; i++) {
            f[i] = (byte) (i * 31 + seed);
        }
        return f;
    }

    private static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(WAIT, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("future neither completed nor failed within " + WAIT + " ms");
        }
        throw new AssertionError("future completed normally, expected a failure");
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 2 * WAIT;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("not true within " + 2 * WAIT + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }

    // ------------------------------------------------------------------------------ handshake

    @Test
    void handshakeNegotiatesOpenFlow13AndBringsTheSwitchUp() throws Exception {
        start();
        FakeSwitch f = connect(0x0000_1234_5678_9abcL);

        OFHello hello = f.await(OFType.HELLO, OFHello.class, WAIT);
        assertEquals(OFVersion.OF_13, hello.getVersion());
        OFHelloElemVersionbitmap bitmap = (OFHelloElemVersionbitmap) hello.getElements().get(0);
        assertEquals(List.of(U32.of(1 << 4)), bitmap.getBitmaps());
        f.await(OFType.FEATURES_REQUEST, OFMessage.class, WAIT);
        OFSetConfig config = f.await(OFType.SET_CONFIG, OFSetConfig.class, WAIT);
        assertEquals(0xffff, config.getMissSendLen());
        f.await(OFType.BARRIER_REQUEST, OFMessage.class, WAIT);

        SwitchId sw = SwitchId.of(0x0000_1234_5678_9abcL);
        assertEquals(sw, take(events.ups, WAIT, "switchUp"));
        assertEquals(Set.of(sw), controller.switches());
        assertEquals(1, controller.counters().switchesConnected());
        assertEquals(0, controller.counters().handshakeFailures());
    }

    @Test
    void anOpenFlow10OnlyHelloIsRefusedWithHelloFailed() throws Exception {
        start();
        OFFactory of10 = OFFactories.getFactory(OFVersion.OF_10);
        FakeSwitch f = connect(9, of10.buildHello().setXid(5).build());

        OFErrorMsg err = f.await(OFType.ERROR, OFErrorMsg.class, WAIT);
        assertEquals(OFVersion.OF_10, err.getVersion(), "error in a version the peer understands");
        assertInstanceOf(OFHelloFailedErrorMsg.class, err);
        assertEquals(OFHelloFailedCode.INCOMPATIBLE, ((OFHelloFailedErrorMsg) err).getCode());
        assertTrue(new String(err.getData().getData(), StandardCharsets.US_ASCII).contains("1.3"));
        assertTrue(f.awaitClosed(WAIT), "connection closed");
        assertNull(events.ups.poll(200, TimeUnit.MILLISECONDS));
        assertEquals(1, controller.counters().handshakeFailures());
        assertTrue(controller.switches().isEmpty());
    }

    @Test
    void aNewerHelloWhoseBitmapIncludes13Negotiates13() throws Exception {
        start();
        OFFactory of14 = OFFactories.getFactory(OFVersion.OF_14);
        OFMessage hello = of14.buildHello().setXid(5).setElements(List.of(of14.buildHelloElemVersionbitmap()
                .setBitmaps(List.of(U32.of((1 << 4) | (1 << 5)))).build())).build();
        connect(3, hello);
        assertEquals(SwitchId.of(3), take(events.ups, WAIT, "switchUp"));
    }

    @Test
    void aNewerHelloWhoseBitmapLacks13IsRefused() throws Exception {
        start();
        OFFactory of14 = OFFactories.getFactory(OFVersion.OF_14);
        OFMessage hello = of14.buildHello().setXid(5).setElements(List.of(of14.buildHelloElemVersionbitmap()
                .setBitmaps(List.of(U32.of(1 << 5))).build())).build();
        FakeSwitch f = connect(3, hello);
        OFErrorMsg err = f.await(OFType.ERROR, OFErrorMsg.class, WAIT);
        assertEquals(OFVersion.OF_13, err.getVersion());
        assertInstanceOf(OFHelloFailedErrorMsg.class, err);
        assertTrue(f.awaitClosed(WAIT));
    }

    @Test
    void a13HelloWithoutBitmapIsAccepted() throws Exception {
        start();
        connect(4, OF13.buildHello().setXid(5).setElements(Collections.emptyList()).build());
        assertEquals(SwitchId.of(4), take(events.ups, WAIT, "switchUp"));
    }

    @Test
    void aSwitchThatNeverSaysHelloIsDroppedAfterTheHandshakeTimeout() throws Exception {
        start(OpenFlowControllerConfig.builder().handshakeTimeout(Duration.ofMillis(300)));
        FakeSwitch f = connect(5, null);
        assertTrue(f.awaitClosed(WAIT));
        assertEquals(1, controller.counters().handshakeFailures());
    }

    // -------------------------------------------------------------------------- packets

    @Test
    void packetOutReachesTheSwitchWithItsActions() throws Exception {
        start();
        FakeSwitch f = up(1);
        byte[] frame = frame(60, 1);
        controller.sendPacket(SwitchId.of(1), PacketOut.of(PacketOut.FROM_CONTROLLER, frame,
                List.of(FlowAction.setEthDst(MacAddress.parse("02:00:00:00:00:09")), FlowAction.output(3))));

        OFPacketOut po = f.await(OFType.PACKET_OUT, OFPacketOut.class, WAIT);
        assertEquals(OFBufferId.NO_BUFFER, po.getBufferId());
        assertEquals(OFPort.CONTROLLER, po.getInPort());
        assertEquals(List.of(
                OF13.actions().setField(OF13.oxms().ethDst(org.projectfloodlight.openflow.types.MacAddress.of("02:00:00:00:00:09"))),
                OF13.actions().output(OFPort.of(3), 0)), po.getActions());
        assertArrayEquals(frame, po.getData());
        eventually(() -> controller.counters().packetOuts() == 1, "packetOuts counted");

        controller.sendPacket(SwitchId.of(1), PacketOut.of(2, frame, List.of(FlowAction.flood())));
        OFPacketOut flood = f.await(OFType.PACKET_OUT, OFPacketOut.class, WAIT);
        assertEquals(OFPort.of(2), flood.getInPort());
        assertEquals(List.of(OF13.actions().output(OFPort.FLOOD, 0)), flood.getActions());
    }

    @Test
    void packetInReachesTheListenerWithPortAndWholeFrame() throws Exception {
        start();
        FakeSwitch f = up(1);
        byte[] frame = frame(1514, 7);
        f.send(packetIn(5, frame));
        RecordingListener.PacketIn pi = take(events.packetIns, WAIT, "packetIn");
        assertEquals(SwitchId.of(1), pi.sw);
        assertEquals(5, pi.inPort);
        assertArrayEquals(frame, pi.frame);
        assertEquals(1, controller.counters().packetIns());
    }

    @Test
    void packetsToAnUnknownSwitchAreDroppedAndCounted() throws Exception {
        start();
        controller.sendPacket(SwitchId.of(99), PacketOut.of(1, frame(60, 0), List.of(FlowAction.output(2))));
        assertEquals(1, controller.counters().packetOutsDropped());
        Throwable t = failureOf(controller.installRules(SwitchId.of(99), List.of(tableMiss())));
        assertInstanceOf(SouthboundException.class, t);
        assertTrue(t.getMessage().contains("not connected"), t.getMessage());
    }

    // ---------------------------------------------------------------------------- rules

    @Test
    void installRulesWritesFlowAddsThenOneBarrierAndCompletesOnTheReply() throws Exception {
        start();
        FakeSwitch f = up(1);
        f.answerBarriers = false;
        List<FlowRule> rules = List.of(rule(1000, 2), rule(1001, 3), tableMiss());

        CompletableFuture<Void> done = controller.installRules(SwitchId.of(1), rules);
        List<OFMessage> got = f.next(4, WAIT);
        for (int i = 0; i < 3; i++) {
            OFFlowAdd add = assertInstanceOf(OFFlowAdd.class, got.get(i));
            assertEquals(OpenFlow13Translator.toFlowAdd(rules.get(i), add.getXid()), add);
        }
        OFBarrierRequest barrier = assertInstanceOf(OFBarrierRequest.class, got.get(3));
        assertEquals(4, got.stream().mapToLong(OFMessage::getXid).distinct().count(), "distinct xids");

        Thread.sleep(200);
        assertFalse(done.isDone(), "completes only on the barrier reply");
        f.send(OF13.buildBarrierReply().setXid(barrier.getXid()).build());
        done.get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(3, controller.counters().flowMods());
    }

    @Test
    void aSwitchErrorForOneFlowAddFailsTheInstallWithTheSwitchsErrorText() throws Exception {
        start();
        FakeSwitch f = up(1);
        f.errorFor = m -> m instanceof OFFlowAdd && ((OFFlowAdd) m).getPriority() == 666
                ? OF13.errorMsgs().buildFlowModFailedErrorMsg().setXid(m.getXid())
                        .setCode(OFFlowModFailedCode.TABLE_FULL)
                        .setData(OFErrorCauseData.of(first64Bytes(m), OFVersion.OF_13)).build()
                : null;

        Throwable t = failureOf(controller.installRules(SwitchId.of(1), List.of(rule(100, 2), rule(666, 2), rule(200, 2))));
        OpenFlowErrorException e = assertInstanceOf(OpenFlowErrorException.class, t);
        assertEquals("FLOW_MOD_FAILED", e.errorType());
        assertEquals("TABLE_FULL", e.errorCode());
        assertTrue(e.getMessage().contains("TABLE_FULL") && e.getMessage().contains("prio=666"), e.getMessage());
        assertEquals(1, controller.counters().errors());

        // the switch is still usable, and the failed batch's barrier did not leak a pending slot
        controller.installRules(SwitchId.of(1), List.of(rule(100, 2))).get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(Set.of(SwitchId.of(1)), controller.switches());
    }

    private static byte[] first64Bytes(OFMessage m) {
        ByteBuf b = Unpooled.buffer();
        m.writeTo(b);
        byte[] out = new byte[Math.min(64, b.readableBytes())];
        b.readBytes(out);
        b.release();
        return out;
    }

    @Test
    void removeRulesByCookieSendsOneDeleteAndABarrier() throws Exception {
        start();
        FakeSwitch f = up(1);
        long cookie = 0xBA70L << 48;
        long mask = 0xffffL << 48;
        CompletableFuture<Void> done = controller.removeRulesByCookie(SwitchId.of(1), cookie, mask);
        List<OFMessage> got = f.next(2, WAIT);
        OFFlowDelete del = assertInstanceOf(OFFlowDelete.class, got.get(0));
        assertEquals(OpenFlow13Translator.toFlowDeleteByCookie(cookie, mask, del.getXid()), del);
        assertInstanceOf(OFBarrierRequest.class, got.get(1));
        done.get(WAIT, TimeUnit.MILLISECONDS);
    }

    @Test
    void removeRulesByCookiesSendsADeleteEachAndOneBarrier() throws Exception {
        start();
        FakeSwitch f = up(1);
        long mask = -1L;
        List<Long> cookies = List.of(0xBA70L << 48 | 7, 0xBA70L << 48 | 8, 0xBA70L << 48 | 9);
        CompletableFuture<Void> done = controller.removeRulesByCookies(SwitchId.of(1), cookies, mask);
        List<OFMessage> got = f.next(4, WAIT);
        for (int i = 0; i < 3; i++) {
            OFFlowDelete del = assertInstanceOf(OFFlowDelete.class, got.get(i));
            assertEquals(OpenFlow13Translator.toFlowDeleteByCookie(cookies.get(i), mask, del.getXid()), del);
        }
        assertInstanceOf(OFBarrierRequest.class, got.get(3));
        done.get(WAIT, TimeUnit.MILLISECONDS);
    }

    @Test
    void removeRulesSendsStrictDeletes() throws Exception {
        start();
        FakeSwitch f = up(1);
        FlowRule r = rule(1000, 2);
        CompletableFuture<Void> done = controller.removeRules(SwitchId.of(1), List.of(r));
        List<OFMessage> got = f.next(2, WAIT);
        OFFlowDeleteStrict del = assertInstanceOf(OFFlowDeleteStrict.class, got.get(0));
        assertEquals(OpenFlow13Translator.toFlowDeleteStrict(r, del.getXid()), del);
        assertInstanceOf(OFBarrierRequest.class, got.get(1));
        done.get(WAIT, TimeUnit.MILLISECONDS);
    }

    @Test
    void flowStatsGathersEveryPartOfAMultipartReply() throws Exception {
        start();
        FakeSwitch f = up(1);
        f.statsResponder = req -> List.of(
                OF13.buildFlowStatsReply().setXid(req.getXid()).setFlags(EnumSet.of(OFStatsReplyFlags.REPLY_MORE))
                        .setEntries(List.of(statsEntry(rule(1, 2)), statsEntry(rule(2, 2)))).build(),
                OF13.buildFlowStatsReply().setXid(req.getXid())
                        .setEntries(List.of(statsEntry(rule(3, 2)))).build());

        List<FlowStatsEntry> entries = controller.flowStats(SwitchId.of(1), COOKIE, -1L).get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(3, entries.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, entries.get(i).priority());
            assertEquals(rule(i + 1, 2).match(), entries.get(i).match());
            assertEquals(COOKIE, entries.get(i).cookie());
        }
        OFFlowStatsRequest req = f.await(OFType.STATS_REQUEST, OFFlowStatsRequest.class, WAIT);
        assertEquals(OpenFlow13Translator.toFlowStatsRequest(COOKIE, -1L, req.getXid()), req);
    }

    private static org.projectfloodlight.openflow.protocol.OFFlowStatsEntry statsEntry(FlowRule r) {
        return OF13.buildFlowStatsEntry()
                .setTableId(TableId.of(0))
                .setPriority(r.priority())
                .setCookie(U64.of(r.cookie()))
                .setIdleTimeout(r.idleTimeoutSeconds())
                .setMatch(OpenFlow13Translator.toMatch(r.match()))
                .setInstructions(OpenFlow13Translator.toInstructions(r.actions()))
                .setPacketCount(U64.of(1))
                .setByteCount(U64.of(60))
                .build();
    }

    @Test
    void anUnansweredBarrierTimesOut() throws Exception {
        start(OpenFlowControllerConfig.builder().requestTimeout(Duration.ofMillis(300)));
        FakeSwitch f = up(1);
        f.answerBarriers = false;
        Throwable t = failureOf(controller.installRules(SwitchId.of(1), List.of(tableMiss())));
        assertInstanceOf(SouthboundException.class, t);
        assertTrue(t.getMessage().contains("within 300 ms"), t.getMessage());
        assertEquals(1, controller.counters().operationsTimedOut());
        assertTrue(f.isOpen(), "a slow answer does not drop the switch");
    }

    @Test
    void pendingOperationsPerSwitchAreBounded() throws Exception {
        start(OpenFlowControllerConfig.builder().maxPendingOpsPerSwitch(2));
        FakeSwitch f = up(1);
        f.answerBarriers = false;
        CompletableFuture<Void> a = controller.installRules(SwitchId.of(1), List.of(rule(1, 2)));
        CompletableFuture<Void> b = controller.installRules(SwitchId.of(1), List.of(rule(2, 2)));
        CompletableFuture<Void> c = controller.installRules(SwitchId.of(1), List.of(rule(3, 2)));
        assertTrue(c.isCompletedExceptionally(), "third refused at once");
        assertTrue(failureOf(c).getMessage().contains("already waiting"));

        // a and b may share one barrier (written in one batch) or have one each
        eventually(() -> f.received.stream().filter(m -> m.getType() == OFType.FLOW_MOD).count() == 2,
                "both flow-mods written");
        eventually(() -> f.received.get(f.received.size() - 1).getType() == OFType.BARRIER_REQUEST,
                "a barrier after them");
        for (OFMessage m : List.copyOf(f.received)) {
            if (m.getType() == OFType.BARRIER_REQUEST && m.getXid() >= 0x100) {
                f.send(OF13.buildBarrierReply().setXid(m.getXid()).build());
            }
        }
        a.get(WAIT, TimeUnit.MILLISECONDS);
        b.get(WAIT, TimeUnit.MILLISECONDS);
        f.answerBarriers = true;
        controller.installRules(SwitchId.of(1), List.of(rule(4, 2))).get(WAIT, TimeUnit.MILLISECONDS);
    }

    @Test
    void operationsWrittenTogetherShareOneBarrierAndAnErrorFailsOnlyItsOwn() throws Exception {
        start();
        FakeSwitch f = up(1);
        f.answerBarriers = false;
        int handshake = f.received.size();
        // Submitted from one thread while the event loop is busy: they land in one batch.
        CountDownLatch hold = new CountDownLatch(1);
        controller.eventLoopOf(SwitchId.of(1)).execute(() -> awaitQuietly(hold));
        List<CompletableFuture<Void>> ops = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ops.add(controller.installRules(SwitchId.of(1), List.of(rule(100 + i, 2), rule(100 + i, 3))));
        }
        hold.countDown();
        eventually(() -> f.received.size() == handshake + 21, "20 flow-mods and one barrier");
        List<OFMessage> got = List.copyOf(f.received.subList(handshake, f.received.size()));
        assertEquals(20, got.stream().filter(m -> m.getType() == OFType.FLOW_MOD).count());
        OFMessage barrier = got.get(20);
        assertEquals(OFType.BARRIER_REQUEST, barrier.getType(), "the barrier closes the batch");
        // The switch refuses the 7th operation's second rule, then confirms the barrier.
        OFMessage refused = got.get(13);
        f.send(OF13.errorMsgs().buildFlowModFailedErrorMsg().setXid(refused.getXid())
                .setCode(OFFlowModFailedCode.TABLE_FULL).setData(OFErrorCauseData.NONE).build());
        f.send(OF13.buildBarrierReply().setXid(barrier.getXid()).build());
        for (int i = 0; i < 10; i++) {
            if (i == 6) {
                Throwable t = failureOf(ops.get(i));
                assertTrue(t.getMessage().contains("TABLE_FULL"), t.getMessage());
            } else {
                ops.get(i).get(WAIT, TimeUnit.MILLISECONDS);
            }
        }
        assertEquals(10 * 2L, controller.counters().flowMods());
        assertEquals(1, controller.counters().errors());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void concurrentCallersAllGetTheirAnswers() throws Exception {
        start();
        FakeSwitch f = up(1);
        int threads = 8;
        int perThread = 50;
        List<CompletableFuture<Void>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    all.add(controller.installRules(SwitchId.of(1), List.of(rule(base + i, 2), rule(base + i, 3))));
                    controller.sendPacket(SwitchId.of(1), PacketOut.of(1, frame(60, i), List.of(FlowAction.output(2))));
                }
            });
            callers.add(th);
            th.start();
        }
        for (Thread th : callers) {
            th.join();
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(threads * perThread * 2L, controller.counters().flowMods());
        eventually(() -> controller.counters().packetOuts() == threads * perThread, "all packet-outs written");
        int handshake = 4; // hello, features request, set-config, barrier
        int ops = threads * perThread;
        eventually(() -> f.received.stream().filter(m -> m.getType() == OFType.PACKET_OUT).count() == ops,
                "switch got every packet-out");
        List<OFMessage> got = List.copyOf(f.received.subList(handshake, f.received.size()));
        assertEquals(ops * 2, got.stream().filter(m -> m.getType() == OFType.FLOW_MOD).count());
        long barriers = got.stream().filter(m -> m.getType() == OFType.BARRIER_REQUEST).count();
        assertTrue(barriers >= 1 && barriers <= ops, barriers + " barriers for " + ops + " operations");
        assertEquals(OFType.BARRIER_REQUEST, got.stream().filter(m -> m.getType() != OFType.PACKET_OUT)
                .reduce((x, y) -> y).orElseThrow().getType(), "the last flow-mod is followed by a barrier");
        assertEquals(got.size(), got.stream().mapToLong(OFMessage::getXid).distinct().count(), "every xid distinct");
    }

    @Test
    void whenTheSwitchStopsReadingPacketOutsAreDroppedAndOperationsRefused() throws Exception {
        // A long request timeout: this test is about the backlog bound, not about timeouts, and a
        // slow machine may take seconds to fill the kernel's socket buffers.
        start(OpenFlowControllerConfig.builder().maxOutboundBytesPerSwitch(64 * 1024)
                .requestTimeout(Duration.ofSeconds(60)));
        FakeSwitch f = up(1);
        f.setReading(false);
        byte[] frame = frame(1400, 3);
        long deadline = System.currentTimeMillis() + 30_000;
        int sent = 0;
        int refused = 0;
        List<CompletableFuture<Void>> accepted = new ArrayList<>();
        // The backlog may first appear only briefly (the batch queue not yet drained into the
        // socket); it stays once the kernel's buffers are full. Go on until both effects are seen.
        while (refused == 0 || controller.counters().packetOutsDropped() == 0) {
            for (int i = 0; i < 200; i++) {
                controller.sendPacket(SwitchId.of(1), PacketOut.of(1, frame, List.of(FlowAction.output(2))));
            }
            sent += 200;
            Thread.sleep(2);
            CompletableFuture<Void> probe = controller.installRules(SwitchId.of(1), List.of(tableMiss()));
            if (probe.isCompletedExceptionally()) {
                assertTrue(failureOf(probe).getMessage().contains("backlog"), failureOf(probe).getMessage());
                refused++;
            } else {
                accepted.add(probe);
            }
            if (System.currentTimeMillis() > deadline) {
                fail("output never backed up after " + sent + " packet-outs (" + refused + " operations refused): "
                        + controller.counters());
            }
        }

        // Once the switch reads again, everything accepted reaches it: nothing is lost silently.
        f.setReading(true);
        int total = sent;
        CompletableFuture.allOf(accepted.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        eventually(() -> controller.counters().packetOuts() + controller.counters().packetOutsDropped() == total,
                "every packet-out written or dropped");
        long written = controller.counters().packetOuts();
        eventually(() -> f.received.stream().filter(m -> m.getType() == OFType.PACKET_OUT).count() == written,
                "the switch got every packet-out that was written");
        controller.installRules(SwitchId.of(1), List.of(tableMiss())).get(WAIT, TimeUnit.MILLISECONDS);
    }

    // --------------------------------------------------------------------- connection life

    @Test
    void disconnectFailsPendingOperationsAndFiresSwitchDown() throws Exception {
        start();
        FakeSwitch f = up(1);
        f.answerBarriers = false;
        CompletableFuture<Void> install = controller.installRules(SwitchId.of(1), List.of(rule(1, 2)));
        CompletableFuture<List<FlowStatsEntry>> stats = controller.flowStats(SwitchId.of(1), 0, 0);
        f.await(OFType.STATS_REQUEST, OFMessage.class, WAIT);
        f.close();

        Throwable t = failureOf(install);
        assertInstanceOf(SouthboundException.class, t);
        assertTrue(t.getMessage().contains("disconnected"), t.getMessage());
        assertTrue(failureOf(stats).getMessage().contains("disconnected"));
        assertEquals(SwitchId.of(1), take(events.downs, WAIT, "switchDown"));
        assertTrue(controller.switches().isEmpty());
        assertEquals(0, controller.counters().switchesConnected());
    }

    @Test
    void twoSwitchesAtOnceAreKeptApart() throws Exception {
        start();
        FakeSwitch a = up(1);
        FakeSwitch b = up(2);
        assertEquals(Set.of(SwitchId.of(1), SwitchId.of(2)), controller.switches());

        b.send(packetIn(7, frame(64, 2)));
        RecordingListener.PacketIn pb = take(events.packetIns, WAIT, "packetIn");
        assertEquals(SwitchId.of(2), pb.sw);
        assertEquals(7, pb.inPort);
        a.send(packetIn(3, frame(64, 1)));
        RecordingListener.PacketIn pa = take(events.packetIns, WAIT, "packetIn");
        assertEquals(SwitchId.of(1), pa.sw);
        assertEquals(3, pa.inPort);

        CompletableFuture<Void> ia = controller.installRules(SwitchId.of(1), List.of(rule(11, 2)));
        CompletableFuture<Void> ib = controller.installRules(SwitchId.of(2), List.of(rule(22, 2)));
        ia.get(WAIT, TimeUnit.MILLISECONDS);
        ib.get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(11, a.await(OFType.FLOW_MOD, OFFlowAdd.class, WAIT).getPriority());
        assertEquals(22, b.await(OFType.FLOW_MOD, OFFlowAdd.class, WAIT).getPriority());
    }

    @Test
    void aSwitchSendingGarbageIsDroppedWithoutDisturbingTheOther() throws Exception {
        start();
        FakeSwitch good = up(1);
        FakeSwitch bad = up(2);
        bad.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertTrue(bad.awaitClosed(WAIT), "garbage sender dropped");
        assertEquals(SwitchId.of(2), take(events.downs, WAIT, "switchDown"));
        assertEquals(1, controller.counters().malformedMessages());
        assertEquals(Set.of(SwitchId.of(1)), controller.switches());
        controller.installRules(SwitchId.of(1), List.of(rule(1, 2))).get(WAIT, TimeUnit.MILLISECONDS);
        good.send(packetIn(1, frame(60, 0)));
        assertEquals(SwitchId.of(1), take(events.packetIns, WAIT, "packetIn").sw);
        assertNull(events.downs.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    void wellFramedButUnparseableMessagesDropTheSwitch() throws Exception {
        start();
        byte[][] inputs = {
            {4, (byte) 0xee, 0, 8, 0, 0, 0, 1},                 // unknown message type
            {4, 0, 0, 4, 0, 0, 0, 1},                           // length below the header
            {4, 10, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0},             // packet-in cut short
        };
        long dpid = 10;
        for (byte[] input : inputs) {
            FakeSwitch bad = up(dpid);
            bad.sendRaw(input);
            assertTrue(bad.awaitClosed(WAIT), "dropped after " + java.util.Arrays.toString(input));
            assertEquals(SwitchId.of(dpid), take(events.downs, WAIT, "switchDown"));
            dpid++;
        }
        assertEquals(inputs.length, controller.counters().malformedMessages());
    }

    @Test
    void echoRequestsAreAnsweredAndSilentSwitchesDropped() throws Exception {
        start(OpenFlowControllerConfig.builder().echoInterval(Duration.ofMillis(200)));
        FakeSwitch alive = up(1);
        FakeSwitch silent = up(2);
        silent.answerEchoes = false;

        alive.send(OF13.buildEchoRequest().setXid(77).setData(new byte[] {1, 2, 3}).build());
        OFEchoReply reply = alive.await(OFType.ECHO_REPLY, OFEchoReply.class, WAIT);
        assertEquals(77, reply.getXid());
        assertArrayEquals(new byte[] {1, 2, 3}, reply.getData());

        assertTrue(silent.awaitClosed(WAIT), "silent switch dropped");
        assertEquals(SwitchId.of(2), take(events.downs, WAIT, "switchDown"));
        assertEquals(1, controller.counters().echoTimeouts());
        alive.await(OFType.ECHO_REQUEST, OFMessage.class, WAIT);
        Thread.sleep(600);
        assertTrue(alive.isOpen());
        assertEquals(Set.of(SwitchId.of(1)), controller.switches());
    }

    @Test
    void switchesBeyondTheMaximumAreRefused() throws Exception {
        start(OpenFlowControllerConfig.builder().maxSwitches(1));
        up(1);
        FakeSwitch extra = connect(2);
        assertTrue(extra.awaitClosed(WAIT));
        assertNull(events.ups.poll(200, TimeUnit.MILLISECONDS));
        assertEquals(Set.of(SwitchId.of(1)), controller.switches());
    }

    @Test
    void aSwitchReconnectingWithTheSameDatapathIdReplacesItsOldConnection() throws Exception {
        start();
        FakeSwitch old = up(1);
        FakeSwitch fresh = connect(1);
        assertEquals(SwitchId.of(1), take(events.downs, WAIT, "switchDown"));
        assertEquals(SwitchId.of(1), take(events.ups, WAIT, "switchUp"));
        assertTrue(old.awaitClosed(WAIT));
        fresh.drain();
        controller.installRules(SwitchId.of(1), List.of(rule(5, 2))).get(WAIT, TimeUnit.MILLISECONDS);
        assertEquals(5, fresh.await(OFType.FLOW_MOD, OFFlowAdd.class, WAIT).getPriority());
        assertNull(events.downs.poll(200, TimeUnit.MILLISECONDS), "no late switchDown from the old connection");
        assertEquals(Set.of(SwitchId.of(1)), controller.switches());
    }

    @Test
    void stopClosesEverythingAndLeavesNoThreads() throws Exception {
        start();
        FakeSwitch a = up(1);
        FakeSwitch b = up(2);
        a.answerBarriers = false;
        CompletableFuture<Void> pending = controller.installRules(SwitchId.of(1), List.of(rule(1, 2)));
        a.await(OFType.BARRIER_REQUEST, OFMessage.class, WAIT);

        controller.stop();

        assertTrue(failureOf(pending) instanceof SouthboundException);
        assertTrue(a.awaitClosed(WAIT));
        assertTrue(b.awaitClosed(WAIT));
        Set<SwitchId> down = Set.of(take(events.downs, WAIT, "switchDown"), take(events.downs, WAIT, "switchDown"));
        assertEquals(Set.of(SwitchId.of(1), SwitchId.of(2)), down);
        assertTrue(controller.switches().isEmpty());
        assertNull(controller.localAddress());
        eventually(() -> controllerThreads().isEmpty(), "no controller threads left: " + controllerThreads());
        assertTrue(failureOf(controller.installRules(SwitchId.of(1), List.of(tableMiss()))) instanceof SouthboundException);
        controller.stop(); // idempotent
        assertThrows(IllegalStateException.class, controller::start);
    }

    private static List<String> controllerThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("baton-openflow")) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void aPortAlreadyInUseFailsStartClearly() throws Exception {
        start();
        OpenFlowController second = new OpenFlowController(
                OpenFlowControllerConfig.builder().bindAddress("127.0.0.1").port(port).build());
        SouthboundException e = assertThrows(SouthboundException.class, second::start);
        assertTrue(e.getMessage().contains(String.valueOf(port)), e.getMessage());
        second.stop();
        assertNotEquals(0, port);
    }
}
