package io.baton.controller.engine;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;
import io.baton.controller.connection.ConnectionTable;
import io.baton.controller.connection.SynCookies;
import io.baton.controller.flows.FlowRuleFactory;
import io.baton.controller.frontend.ClientSender;
import io.baton.controller.frontend.TcpFrontend;
import io.baton.controller.handoff.AgentEvents;
import io.baton.controller.handoff.AgentSession;
import io.baton.controller.handoff.HandoffCoordinator;
import io.baton.controller.l2.L2Forwarder;
import io.baton.controller.packet.Frame;
import io.baton.controller.pool.Server;
import io.baton.controller.recovery.ConnectionRecovery;
import io.baton.controller.pool.ServerRegistry;
import io.baton.controller.southbound.Southbound;
import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.Meter;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.ConnectionClosed;
import io.baton.handoff.protocol.HandoffDrop;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.HandoffReady;
import io.baton.handoff.protocol.HealthChecks;
import io.baton.handoff.protocol.HealthReport;
import io.baton.handoff.protocol.LiveConnections;
import io.baton.topology.HostTable;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Baton's engine: one thread owns all state (connections, servers, hosts), so no state needs a
 * lock; switch and agent events are queued onto it. It sees the network only through
 * {@link Southbound}, never a platform type, so the same engine runs on the embedded controller,
 * ONOS or OpenDaylight.
 */
public final class BatonEngine implements SouthboundListener, AgentEvents, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatonEngine.class);
    private static final long TICK_MILLIS = 100;
    private static final long PROBE_EVERY_MILLIS = 1000;
    /** 2024-01-01T00:00:00Z. */
    private static final long ID_EPOCH_MILLIS = 1_704_067_200_000L;
    /** Rules found on a switch wait this long for an agent to claim them (agents reconnect within ~1 s). */
    private static final long RECOVERY_CANDIDATE_GRACE_MILLIS = 5_000;
    /** A listed connection waits this long for its switch's rules or its client (OVS reconnects within 8 s). */
    private static final long RECOVERY_ORPHAN_GRACE_MILLIS = 30_000;

    private final BatonConfig config;
    /** The services now in force: the config's at start, then what the REST API applied. */
    private List<ServiceConfig> currentServices;
    private final Southbound southbound;
    /**
     * The engine's one thread. A NIO event loop rather than a DefaultEventLoop: its task queue is
     * lock-free (many producers, one consumer) and it is woken only when asleep, where the
     * DefaultEventLoop's LinkedBlockingQueue took a lock per task on both sides (the controller
     * bench found the engine thread spending 5 % unlocking it under load).
     */
    private final EventLoopGroup loopGroup;
    private final EventLoop loop;
    /** Whether {@link #loopGroup} is the engine's to shut down (not when its host shares it). */
    private final boolean ownsLoop;
    private volatile boolean closed;
    private volatile long startedNanos;
    /**
     * An agent that connects this soon after the start takes connections at once, without the
     * heartbeats a returning server must send first: after a controller restart every agent comes
     * back together and none is flapping, and making them rise first answered new requests with
     * 503 meanwhile (41 of 270 in the full-size controller-kill test).
     */
    static final long AGENTS_UP_AT_ONCE_AFTER_START_MILLIS = 10_000;
    /**
     * The engine's work: on {@link #loop}, and none once closed. A shared loop lives on after
     * {@link #close()}, and its host may delete Baton's rules then: no answer that comes late (a
     * barrier reply, an agent's ready) may make the engine install anything after that.
     */
    private final Executor engine = this::runUnlessClosed;
    private final LongSupplier clock = System::nanoTime;
    private final EngineCounters counters = new EngineCounters();
    private final Services services;
    private final ConnectionTable table;
    private final ServerRegistry registry;
    private final HostTable hosts = new HostTable(65_536);
    /** Switches whose base rules go through packet-in meters (engine thread). */
    private final Set<SwitchId> meteredSwitches = new HashSet<>();
    /**
     * The start's look at the switches already there races with their switch-up events: one
     * switch could be seen by both and prepared twice (base rules and meters installed twice, its
     * rules read back twice). Until the look, the switches an event prepared; after it, those the
     * look prepared that no event has named since (each skips one switch-up, unless it went down
     * first). Engine thread.
     */
    private Set<SwitchId> upBeforeStartScan = new HashSet<>();
    private Set<SwitchId> preparedByStartScan;
    private final FlowRuleFactory flows;
    private final L2Forwarder l2;
    private final TcpFrontend frontend;
    private final HandoffCoordinator handoffs;
    private final ConnectionRecovery recovery;
    private Set<Ipv4Address> vips = Set.of();
    private Set<Integer> servicePorts = Set.of();
    private ScheduledFuture<?> ticker;
    private long lastProbeNanos;

    /** An engine whose SYN cookies die with it (tests, and hosts that have no handoff secret to give). */
    public BatonEngine(BatonConfig config, Southbound southbound) {
        this(config, southbound, null);
    }

    /**
     * @param cookieSecret keys the SYN cookies every SYN-ACK carries; give the handoff secret, so
     *                     that a restarted controller recognises the handshakes of the one before
     *                     it. Null: a random key, lost at exit.
     */
    public BatonEngine(BatonConfig config, Southbound southbound, byte[] cookieSecret) {
        this(config, southbound, cookieSecret, null);
    }

    /**
     * @param sharedLoop the engine's thread, a NIO event loop its host owns and shuts down after
     *                   {@link #close()}; the host may run its own I/O there (the standalone
     *                   controller runs its switch and agent connections there, so that no
     *                   packet-in, answer or rule crosses a thread). Null: a thread of its own.
     */
    public BatonEngine(BatonConfig config, Southbound southbound, byte[] cookieSecret, EventLoop sharedLoop) {
        this.ownsLoop = sharedLoop == null;
        this.loopGroup = ownsLoop ? new NioEventLoopGroup(1, BatonEngine::engineThread) : sharedLoop;
        this.loop = loopGroup.next();
        this.config = config;
        this.southbound = southbound;
        this.currentServices = config.services();
        this.services = new Services(config.services());
        this.table = new ConnectionTable(config.frontend().maxHalfOpen(), config.frontend().maxConnections(),
                firstConnectionId(System.currentTimeMillis()));
        this.registry = new ServerRegistry(config.services(), config.riseHeartbeats());
        this.flows = new FlowRuleFactory(config.flowIdleTimeoutSeconds(), config.packetInLimits());
        this.l2 = new L2Forwarder(southbound, hosts, flows, counters, Map.of(), engine, clock);
        indexVips(config.services());
        SecureRandom rnd = new SecureRandom();
        if (cookieSecret == null) {
            cookieSecret = new byte[32];
            rnd.nextBytes(cookieSecret);
        }
        this.handoffs = new HandoffCoordinator(services, table, registry, hosts, southbound, flows, l2, counters,
                engine, loop, clock, config.handoffTimeoutMillis(), config.frontend().receiveWindow(),
                config.forwardBeforeCommit(), config.rescue());
        this.frontend = new TcpFrontend(config.frontend(), table, new SynCookies(cookieSecret),
                new ClientSender(southbound), handoffs, counters, clock, rnd.nextLong());
        handoffs.frontend(frontend);
        this.recovery = new ConnectionRecovery(table, registry, services, hosts, southbound, flows, handoffs, counters,
                engine, clock, RECOVERY_CANDIDATE_GRACE_MILLIS, RECOVERY_ORPHAN_GRACE_MILLIS,
                config.frontend().maxConnections());
        recovery.replayTo(this::handlePacket);
        frontend.resetStrayAcks(recovery::resetsStrayAck);
    }

    /**
     * Connection ids are in every rule's cookie and every agent's list, and outlive a controller
     * run: each run starts at 16 ids per millisecond since 2024, so a new run starts above the
     * ids of an earlier one unless that one averaged more than 16,000 connections a second.
     * Recovery also moves the start above every id it reads back from switches and agents.
     */
    static long firstConnectionId(long nowMillis) {
        return Math.max(1, (nowMillis - ID_EPOCH_MILLIS) * 16);
    }

    public void start() {
        startedNanos = clock.getAsLong();
        southbound.addListener(this);
        ticker = loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        engine.execute(this::prepareSwitchesThere);
    }

    /** The switches connected before the engine listened: prepared once each (see {@link #upBeforeStartScan}). */
    private void prepareSwitchesThere() {
        Set<SwitchId> prepared = new HashSet<>();
        for (SwitchId sw : southbound.switches()) {
            if (!upBeforeStartScan.contains(sw)) {
                prepareSwitch(sw);
                prepared.add(sw);
            }
        }
        upBeforeStartScan = null;
        preparedByStartScan = prepared;
    }

    @Override
    public void close() {
        southbound.removeListener(this);
        if (ticker != null) {
            ticker.cancel(false);
        }
        closed = true;
        if (ownsLoop) {
            loopGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        } else if (!loop.inEventLoop()) {
            loop.submit(() -> { }).awaitUninterruptibly(5, TimeUnit.SECONDS); // a task under way ends first
        }
    }

    private void runUnlessClosed(Runnable task) {
        loop.execute(() -> {
            if (!closed) {
                task.run();
            }
        });
    }

    /** The thread of an engine's own event loop (and of one its host makes to share). */
    public static Thread engineThread(Runnable r) {
        Thread t = new Thread(r, "baton-engine");
        t.setDaemon(true);
        return t;
    }

    public EngineCounters counters() {
        return counters;
    }

    /**
     * The engine's thread, for channels whose every message is the engine's business (the agents'):
     * their I/O there hands nothing across threads. Work on it must not block.
     */
    public EventLoop eventLoop() {
        return loop;
    }

    /** Runs {@code query} on the engine thread: the way other threads read engine state. */
    public <T> CompletableFuture<T> ask(Supplier<T> query) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new IllegalStateException("the engine is closed"));
            return f;
        }
        engine.execute(() -> {
            try {
                f.complete(query.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** The figures of GET /api/v1/stats. */
    public CompletableFuture<Map<String, Object>> stats() {
        return ask(() -> {
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Long> c = counters.snapshot();
            m.put("packetIn", Map.of("total", c.get("packetIn"), "arp", c.get("packetInArp"),
                    "vipTcp", c.get("packetInVipTcp"), "other", c.get("packetInOther")));
            m.put("handoffs", Map.of("started", c.get("handoffsStarted"), "ok", c.get("handoffsOk"),
                    "failed", c.get("handoffsFailed"), "inFlight", handoffs.inFlight(),
                    "latencyMicrosP50", handoffs.latency().percentileMicros(50),
                    "latencyMicrosP99", handoffs.latency().percentileMicros(99),
                    "prepareMicrosP50", handoffs.prepareLatency().percentileMicros(50),
                    "rulesMicrosP50", handoffs.rulesLatency().percentileMicros(50)));
            m.put("connections", Map.of("active", table.size() - table.pendingSize(), "halfOpen", table.pendingSize()));
            m.put("serverToClientPayloadBytes", c.get("serverToClientPayloadBytes"));
            m.put("switches", southbound.switches().size());
            m.put("recovery", recovery.report());
            m.put("counters", c);
            return m;
        });
    }

    /** Requests dispatched per service since start, for /metrics. */
    public CompletableFuture<Map<String, Long>> dispatchedPerService() {
        return ask(() -> {
            Map<String, Long> m = new LinkedHashMap<>();
            services.all().forEach(rt -> m.put(rt.config().name(), rt.dispatched()));
            return m;
        });
    }

    /** Up to {@code limit} tracked connections, for GET /api/v1/connections. */
    public CompletableFuture<List<Map<String, Object>>> connectionReport(int limit) {
        return ask(() -> {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Connection c : table.snapshot()) {
                if (rows.size() >= limit) {
                    break;
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("id", c.id());
                r.put("client", Ipv4Address.of(c.key().clientIp()) + ":" + c.key().clientPort());
                r.put("vip", Ipv4Address.of(c.key().vip()) + ":" + c.key().vipPort());
                r.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
                r.put("server", c.server == null ? null : c.server.address().toString());
                r.put("switch", c.sw().toString());
                r.put("ageMillis", (clock.getAsLong() - c.createdNanos()) / 1_000_000L);
                rows.add(r);
            }
            return rows;
        });
    }

    /** The rows of GET /api/v1/servers. */
    public CompletableFuture<List<Map<String, Object>>> servers() {
        return ask(() -> registry.report(this::located));
    }

    /** Live state of one pool member (health, connections), or null if it is not a member. */
    public CompletableFuture<Map<String, Object>> memberStatus(String service, String pool, Ipv4Address address) {
        return ask(() -> registry.memberStatus(service, pool, address, this::located));
    }

    /**
     * Adopts new services (the REST API's changes, already validated and saved): rules and pools
     * take effect for the next connection; connections already handed off are untouched, whatever
     * happened to their server's membership. VIPs that appeared get their intercept rule on every
     * switch, VIPs that went away lose it.
     */
    public CompletableFuture<Void> applyServices(List<ServiceConfig> next) {
        return ask(() -> {
            List<ServiceConfig> before = currentServices;
            currentServices = List.copyOf(next);
            services.replace(currentServices);
            registry.update(currentServices);
            indexVips(currentServices);
            for (SwitchId sw : southbound.switches()) {
                updateIntercepts(sw, before, currentServices);
            }
            for (Server s : registry.all()) {
                sendHealthChecks(s);
            }
            counters.configChanges.increment();
            return null;
        });
    }

    private void indexVips(List<ServiceConfig> list) {
        Map<Ipv4Address, MacAddress> vipMacs = new HashMap<>();
        Set<Ipv4Address> v = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (ServiceConfig s : list) {
            vipMacs.put(s.vip(), s.virtualMac());
            v.add(s.vip());
            ports.add(s.port());
        }
        vips = v;
        servicePorts = ports;
        l2.vips(vipMacs);
    }

    private void updateIntercepts(SwitchId sw, List<ServiceConfig> before, List<ServiceConfig> after) {
        List<FlowRule> gone = new ArrayList<>();
        List<FlowRule> added = new ArrayList<>();
        Set<FlowRule> afterRules = new HashSet<>();
        boolean metered = meteredSwitches.contains(sw);
        after.forEach(s -> afterRules.addAll(flows.intercepts(s, metered)));
        Set<FlowRule> beforeRules = new HashSet<>();
        before.forEach(s -> beforeRules.addAll(flows.intercepts(s, metered)));
        for (FlowRule r : beforeRules) {
            if (!afterRules.contains(r)) {
                gone.add(r);
            }
        }
        for (FlowRule r : afterRules) {
            if (!beforeRules.contains(r)) {
                added.add(r);
            }
        }
        if (!gone.isEmpty()) {
            southbound.removeRules(sw, gone).whenComplete((ok, err) -> {
                if (err != null) {
                    log.error("switch {}: removing VIP rules failed: {}", sw, err.getMessage());
                }
            });
        }
        if (!added.isEmpty()) {
            southbound.installRules(sw, added).whenComplete((ok, err) -> {
                if (err != null) {
                    log.error("switch {}: new VIP rules refused: {}", sw, err.getMessage());
                }
            });
        }
    }

    /** Tells the server's agent which HTTP checks to run, if that changed. */
    private void sendHealthChecks(Server s) {
        AgentSession a = s.agent();
        if (a == null) {
            return;
        }
        List<HealthChecks.Check> checks = new ArrayList<>();
        registry.checksFor(s).forEach((id, h) -> checks.add(new HealthChecks.Check(id, h.path(),
                h.host() == null ? "" : h.host(), h.expectStatusClass(), h.intervalMillis(), h.timeoutMillis())));
        HealthChecks m = new HealthChecks(checks);
        HealthChecks last = a.lastHealthChecks();
        if (last == null ? !checks.isEmpty() : !m.equals(last)) { // an agent starts with no checks
            a.lastHealthChecks(m);
            a.send(m);
        }
    }

    /** Whether the switch network knows where the server is (for reports; dispatch checks per switch). */
    private boolean located(Server s) {
        return s.mac() != null && hosts.locate(s.mac()).isPresent();
    }

    /** Table-miss and VIP intercepts, through the switch's packet-in meters when it took them. */
    private void installBaseRules(SwitchId sw, boolean metered) {
        if (metered) {
            meteredSwitches.add(sw);
        } else {
            meteredSwitches.remove(sw);
        }
        List<FlowRule> base = flows.baseRules(currentServices, metered);
        southbound.installRules(sw, base).whenComplete((ok, err) -> {
            if (err != null) {
                log.error("switch {}: base rules refused: {}", sw, err.getMessage());
            } else {
                log.info("switch {} ready: {} base rules{}", sw, base.size(), metered ? ", packet-ins metered" : "");
            }
        });
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    // ---- southbound events (Netty threads) → engine thread

    @Override
    public void switchUp(SwitchId sw) {
        engine.execute(() -> {
            if (upBeforeStartScan != null) {
                upBeforeStartScan.add(sw);
            } else if (preparedByStartScan.remove(sw)) {
                log.debug("switch {} up: prepared already when the engine started", sw);
                return;
            }
            prepareSwitch(sw);
        });
    }

    @Override
    public void switchDown(SwitchId sw) {
        engine.execute(() -> {
            log.info("switch {} gone", sw);
            if (upBeforeStartScan != null) {
                upBeforeStartScan.remove(sw);
            } else {
                preparedByStartScan.remove(sw);
            }
            meteredSwitches.remove(sw);
            recovery.switchDown(sw);
            hosts.forgetSwitch(sw);
            l2.forgetSwitch(sw);
        });
    }

    @Override
    public void packetIn(SwitchId sw, int inPort, byte[] frame) {
        engine.execute(() -> onPacket(sw, inPort, frame));
    }

    @Override
    public void flowRemoved(SwitchId sw, FlowRemoved removed) {
        engine.execute(() -> handoffs.onFlowRemoved(sw, removed));
    }

    // ---- agent events (Netty threads) → engine thread

    @Override
    public void agentAuthenticated(AgentSession session) {
        engine.execute(() -> {
            long now = clock.getAsLong();
            if (now - startedNanos < AGENTS_UP_AT_ONCE_AFTER_START_MILLIS * 1_000_000L) {
                session.upAtOnce(true);
            }
            AgentSession old = registry.agentUp(session.serverAddress(), session, session.serverMac(),
                    now / 1_000_000L);
            if (old != null) {
                old.close();
            }
            log.info("{} registered", session);
            sendHealthChecks(registry.get(session.serverAddress()));
            hosts.learnAddress(session.serverAddress(), session.serverMac());
            l2.probe(session.serverAddress());
        });
    }

    @Override
    public void agentMessage(AgentSession session, HandoffMessage m) {
        engine.execute(() -> {
            switch (m.type()) {
                case HANDOFF_READY:
                    handoffs.onReady(session, ((HandoffReady) m).handoffId());
                    break;
                case HANDOFF_DROP:
                    handoffs.onDrop(session, (HandoffDrop) m);
                    break;
                case CONNECTION_CLOSED:
                    if (!handoffs.onClosed(session, (ConnectionClosed) m)) {
                        recovery.closedBeforeTakenBack(session, ((ConnectionClosed) m).handoffId());
                    }
                    break;
                case HEALTH_REPORT:
                    onHealthReport(session, (HealthReport) m);
                    break;
                case LIVE_CONNECTIONS:
                    recovery.liveConnections(session, (LiveConnections) m);
                    break;
                default:
                    throw new IllegalArgumentException("not a handoff message: " + m.type());
            }
        });
    }

    @Override
    public void agentGone(AgentSession session) {
        engine.execute(() -> agentGoneNow(session));
    }

    // ---- engine thread

    private void onHealthReport(AgentSession session, HealthReport r) {
        Server s = registry.get(session.serverAddress());
        if (s == null || s.agent() != session) {
            return;
        }
        counters.healthReports.increment();
        if (registry.checkResult(s, r.checkId(), r.ok())) {
            if (r.ok()) {
                log.info("server {}: check {} passes again", s.address(), r.checkId());
            } else {
                counters.healthCheckDowns.increment();
                log.warn("server {}: check {} failed ({} {}); no new connections from that pool",
                        s.address(), r.checkId(), r.status(), r.detail());
            }
        }
    }

    private void prepareSwitch(SwitchId sw) {
        recovery.switchUp(sw);
        List<Meter> meters = flows.packetInMeters();
        if (meters.isEmpty()) {
            installBaseRules(sw, false);
        } else {
            southbound.installMeters(sw, meters).whenComplete((ok, err) -> engine.execute(() -> {
                if (err != null) {
                    counters.metersRefused.increment();
                    log.warn("switch {}: packet-in meters refused ({}); what it sends the controller is not rate-limited",
                            sw, rootMessage(err));
                }
                installBaseRules(sw, err == null);
            }));
        }
        probeServers(true);
    }

    private void onPacket(SwitchId sw, int inPort, byte[] bytes) {
        counters.packetIn.increment();
        handlePacket(sw, inPort, bytes);
    }

    /** A packet in, counted already (a packet held during reconciliation comes back here). */
    private void handlePacket(SwitchId sw, int inPort, byte[] bytes) {
        Frame f = Frame.parse(bytes);
        if (f.kind() == Frame.Kind.MALFORMED) {
            counters.malformedFrames.increment();
            log.debug("malformed frame from {}/{}: {}", sw, inPort, f.malformedReason());
            return;
        }
        if (hosts.learn(f.ethSrc(), sw, inPort)) {
            l2.hostMoved(f.ethSrc());
        }
        switch (f.kind()) {
            case ARP:
                counters.packetInArp.increment();
                hosts.learnAddress(f.arpSenderIp(), f.arpSenderMac());
                l2.onArp(sw, inPort, f);
                recovery.hostLearned(); // a probe's answer: a switch may wait for it to serve
                return;
            case TCP:
                ServiceRuntime svc = services.at(f.ipDst().toInt(), f.dstPort());
                if (svc != null) {
                    if (recovery.holdIfReconciling(sw, inPort, bytes)) {
                        return; // handled when the switch's rules are known
                    }
                    counters.packetInVipTcp.increment();
                    if (!recover(svc.config(), sw, inPort, f)) {
                        frontend.onSegment(svc.config(), sw, inPort, f);
                    }
                    return;
                }
                if (servicePorts.contains(f.srcPort()) && isServerSide(f.ipSrc())) {
                    counters.serverToClientPayloadBytes.add(f.payloadLength());
                    if (handoffs.serverSegment(f)) {
                        return;
                    }
                    // A segment of no connection Baton holds (a closed one's, or traffic not through a
                    // VIP): sent on, but no plain rule toward the client is learnt from it, since such a
                    // rule would carry a nat server's strays, and any reply its rule has not caught
                    // yet, to the client unrewritten.
                    counters.packetInOther.increment();
                    l2.forwardWithoutRule(sw, inPort, f);
                    return;
                }
                break;
            case IPV4_FRAGMENT:
                if (vips.contains(f.ipDst())) {
                    counters.fragmentsToVip.increment(); // a handshake never needs fragments
                    return;
                }
                break;
            default:
                break;
        }
        counters.packetInOther.increment();
        l2.forward(sw, inPort, f);
    }

    /** A packet of a connection handed off before a restart, whose server still relays it. */
    private boolean recover(ServiceConfig svc, SwitchId sw, int inPort, Frame f) {
        if (!recovery.awaitsClients()) {
            return false; // the usual case: nothing listed waits, nothing more to look up per packet
        }
        if (table.get(new ConnectionKey(f.ipSrc().toInt(), f.srcPort(), f.ipDst().toInt(), f.dstPort())) != null
                || !f.tcpChecksumOk()) {
            return false;
        }
        Connection c = recovery.adoptOnPacket(svc, sw, inPort, f);
        if (c == null) {
            return false;
        }
        handoffs.segmentAfterDispatch(svc, c, f);
        return true;
    }

    private boolean isServerSide(Ipv4Address src) {
        return vips.contains(src) || registry.get(src) != null;
    }

    private void tick() {
        try {
            frontend.expire(services);
            handoffs.expire();
            recovery.expire();
            checkAgents();
            probeServers(false);
        } catch (RuntimeException e) {
            log.error("engine tick failed", e);
        }
    }

    /** An agent silent for longer than the heartbeat timeout is gone (the seed's 2,000 ms). */
    private void checkAgents() {
        long limit = clock.getAsLong() - config.heartbeatTimeoutMillis() * 1_000_000L;
        for (Server s : registry.all()) {
            AgentSession a = s.agent();
            if (a != null && a.lastHeardNanos() - limit < 0) {
                log.warn("{} silent for more than {} ms", a, config.heartbeatTimeoutMillis());
                counters.agentsSilent.increment();
                a.close(); // its channelInactive reports it again; by then it is already down
                agentGoneNow(a);
            }
        }
    }

    private void agentGoneNow(AgentSession a) {
        Server s = registry.agentDown(a);
        if (s != null) {
            log.warn("{} gone: server {} takes no new connections", a, s.address());
            handoffs.agentDown(s);
            recovery.serverDown(s);
        }
    }

    /** Finds servers whose switch port is not known yet, so they can be chosen. */
    private void probeServers(boolean now) {
        long t = clock.getAsLong();
        // Every 200 ms while a switch holds its VIP packets until the servers are located.
        long every = recovery.locatingServers() ? PROBE_EVERY_MILLIS / 5 : PROBE_EVERY_MILLIS;
        if (!now && t - lastProbeNanos < every * 1_000_000L) {
            return;
        }
        lastProbeNanos = t;
        for (Server s : registry.all()) {
            if (s.agent() != null && s.mac() != null && hosts.locate(s.mac()).isEmpty()) {
                l2.probe(s.address());
            }
        }
    }

    /** For tests: the connections now tracked. */
    public CompletableFuture<List<Connection>> connections() {
        return ask(table::snapshot);
    }
}
