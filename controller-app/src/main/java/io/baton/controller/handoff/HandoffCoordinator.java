package io.baton.controller.handoff;

import io.baton.controller.config.RescueSettings;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.config.ServiceMode;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;
import io.baton.controller.connection.ConnectionState;
import io.baton.controller.connection.ConnectionTable;
import io.baton.controller.connection.ServerBinding;
import io.baton.controller.engine.EngineCounters;
import io.baton.controller.engine.ServiceRuntime;
import io.baton.controller.engine.Services;
import io.baton.controller.flows.Cookies;
import io.baton.controller.flows.FlowRuleFactory;
import io.baton.controller.frontend.HandoffSink;
import io.baton.controller.frontend.TcpFrontend;
import io.baton.controller.l2.L2Forwarder;
import io.baton.controller.packet.Frame;
import io.baton.controller.pool.Server;
import io.baton.controller.pool.ServerRegistry;
import io.baton.controller.southbound.Southbound;
import io.baton.dispatcher.policy.Decision;
import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.request.HeadResult;
import io.baton.dispatcher.request.HttpHeadDecoder;
import io.baton.dispatcher.request.HttpLimits;
import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.CloseReason;
import io.baton.handoff.protocol.ConnectionClosed;
import io.baton.handoff.protocol.HandoffAbort;
import io.baton.handoff.protocol.HandoffCommit;
import io.baton.handoff.protocol.HandoffDrop;
import io.baton.handoff.protocol.HandoffRequest;
import io.baton.topology.HostLocation;
import io.baton.topology.HostTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Hands connections to servers, in two phases so that the server never speaks before the switch
 * can carry its words (NOTES.md: a window probe sent too early draws a RST from the client):
 * prepare (the agent rebuilds the socket, silent) while the reply's rule goes in → once the rule
 * is confirmed by barrier, commit (the agent starts relaying as soon as its socket is ready, so
 * a commit that overtakes the ready costs no round trip to the agent) → once the agent is ready
 * too, send on the client segments held meanwhile and install the forward rule. A failure before
 * the agent relays resets the client, or hands the request to another server, and frees
 * everything. Engine thread only.
 */
public final class HandoffCoordinator implements HandoffSink {
    private static final Logger log = LoggerFactory.getLogger(HandoffCoordinator.class);
    private static final int MAX_HELD_FRAMES = 64;
    private static final int MAX_HELD_BYTES = 256 * 1024;
    /** Rules stay this long after the agent reports a close, for the last ACKs and FINs in flight. */
    private static final long CLOSE_LINGER_MILLIS = 2000;
    /**
     * How long after the switch confirms a removal of rules the controller acts as if they were
     * gone. OVS confirms a removal (barrier) before its revalidators have purged the datapath's
     * cached flows of the removed rule; in CI a client's ACK right after the SYN-ACK of a reused
     * port still took the old rule's cached flow to the old server, which reset it, and a dead
     * server's client answered the ACK that should get it reset into the same kind of flow.
     */
    public static final long DATAPATH_SETTLE_MILLIS = 20;
    private static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(DATAPATH_SETTLE_MILLIS);
    /** A cookie mask that selects one rule kind of one connection. */
    private static final long EXACT_COOKIE = -1L;
    /** Closed connections whose rules may wait out the linger at once; beyond it, the oldest go early. */
    private static final int MAX_LINGERING = 1 << 17;
    private static final int MAX_SYNS_BEFORE_THE_CLOSE = 4096;

    private final Services services;
    private final ConnectionTable table;
    private final ServerRegistry registry;
    private final HostTable hosts;
    private final Southbound southbound;
    private final FlowRuleFactory flows;
    /** Rules toward dsr clients, put in at their SYN (see {@link #synAccepted}). */
    private final L2Forwarder l2;
    private final EngineCounters counters;
    private final Executor engine;
    /** Runs delayed work on the engine thread itself. */
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoClock;
    private final long handoffTimeoutNanos;
    private final int receiveWindow;
    /** handoff.forwardBeforeCommit: a request safe to repeat may reach the web server before the commit. */
    private final boolean forwardBeforeCommit;
    /** Requests of committed connections, safe to repeat, for {@link #rescue}. */
    private final KeptRequests kept;
    /**
     * How long after a first reading of no reply packets the count is read again before a rescue:
     * a switch may add a packet to its rule's count a little after forwarding it (OVS does so from
     * its datapath's flows about every half second), and a FIN the server's kernel sent as its
     * agent died must be seen.
     */
    static final long RESCUE_CONFIRM_MILLIS = 1000;
    /** Connections given up while their server may still hold them; see {@link GivenUpConnections}. */
    private final GivenUpConnections givenUp = new GivenUpConnections(MAX_GIVEN_UP);
    static final int MAX_GIVEN_UP = 4096;
    /**
     * Dispatch to commit; the agent's prepare (dispatch to ready); the forward rule's install
     * (commit to the switch's confirmation).
     */
    private final HandoffLatency latency = new HandoffLatency();
    private final HandoffLatency prepareLatency = new HandoffLatency();
    private final HandoffLatency rulesLatency = new HandoffLatency();
    /** Handoffs waiting for the agent or the switch, oldest first (handoff id = connection id). */
    private final LinkedHashMap<Long, Connection> inFlight = new LinkedHashMap<>();
    /**
     * For each connection in flight: its request and the servers already tried, so that a handoff
     * the server refused before committing (nothing reached the client) goes to another server,
     * as HAProxy's redispatch does. Same keys as {@link #inFlight}.
     */
    private final Map<Long, Attempt> attempts = new HashMap<>();
    /** Servers tried for one request at most (the first and two more). */
    static final int MAX_SERVERS_TRIED = 3;

    private static final class Attempt {
        final HttpRequestHead head;
        final byte[] data;
        /**
         * The data is one whole request that is safe to repeat: the agent may give it to the web
         * server at once, before the commit, so the server's work overlaps the switch's (unless
         * handoff.forwardBeforeCommit is off), and it may be kept for a {@link #rescue}.
         */
        final boolean safeToRepeat;
        final Set<Ipv4Address> tried;
        /** The switch confirmed the server's reverse rule, installed while the agent prepares. */
        boolean reverseRuleIn;
        /** The agent that said its socket is ready, while the reverse rule is not confirmed yet. */
        AgentSession ready;
        /**
         * The commit went to the agent with the reverse rule's confirmation, before its ready: the
         * agent may be relaying, so the request may no longer go to another server.
         */
        boolean committedEarly;
        /** The client has had its ACK of the request (carried over to the next attempt). */
        boolean requestAcknowledged;

        Attempt(HttpRequestHead head, byte[] data, boolean safeToRepeat, Set<Ipv4Address> tried,
                boolean requestAcknowledged) {
            this.head = head;
            this.data = data;
            this.safeToRepeat = safeToRepeat;
            this.tried = tried;
            this.requestAcknowledged = requestAcknowledged;
        }
    }
    private TcpFrontend frontend;
    /** Closed connections' rules until the linger ends, also by key for a client that reuses its port at once. */
    private final LingeringRules lingering;
    /** Lingering rules removed early for a new SYN on their key, until the switch confirms it. */
    private final Map<ConnectionKey, CompletableFuture<Void>> clearing = new HashMap<>();
    /**
     * SYNs of a client's next connection on the port of a handed-off one, by the handed-off
     * connection's id, until its agent reports the close (see {@link #segmentAfterDispatch}).
     * Bounded: beyond it the oldest is dropped, and its client sends its SYN again.
     */
    private final Map<Long, Frame> synsBeforeTheClose = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Frame> eldest) {
            return size() > MAX_SYNS_BEFORE_THE_CLOSE;
        }
    };

    public HandoffCoordinator(Services services, ConnectionTable table, ServerRegistry registry,
                              HostTable hosts, Southbound southbound, FlowRuleFactory flows, L2Forwarder l2,
                              EngineCounters counters, Executor engine, ScheduledExecutorService scheduler, LongSupplier nanoClock,
                              long handoffTimeoutMillis, int receiveWindow, boolean forwardBeforeCommit,
                              RescueSettings rescue) {
        this.services = services;
        this.table = table;
        this.registry = registry;
        this.hosts = hosts;
        this.southbound = southbound;
        this.flows = flows;
        this.l2 = l2;
        this.counters = counters;
        this.engine = engine;
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
        this.handoffTimeoutNanos = handoffTimeoutMillis * 1_000_000L;
        this.receiveWindow = receiveWindow;
        this.forwardBeforeCommit = forwardBeforeCommit;
        this.kept = new KeptRequests(rescue.windowMillis(), rescue.maxBytes());
        this.lingering = new LingeringRules(scheduler, nanoClock, CLOSE_LINGER_MILLIS, MAX_LINGERING, this::removeRulesOf);
    }

    /** The front end and the coordinator call each other; the engine wires them once. */
    public void frontend(TcpFrontend f) {
        this.frontend = f;
    }

    public HandoffLatency latency() {
        return latency;
    }

    public HandoffLatency prepareLatency() {
        return prepareLatency;
    }

    public HandoffLatency rulesLatency() {
        return rulesLatency;
    }

    /**
     * In dsr a server answers from the VIP, so its replies need no rewrite, only a way to the
     * client: the rule toward the client's MAC goes in now, a client round trip before its
     * request, so that the commit can go with the handoff request (see {@link #dispatch}).
     */
    @Override
    public void synAccepted(ServiceConfig svc, Connection c) {
        if (svc.mode() == ServiceMode.DSR) {
            l2.routeToClient(c.sw(), c.clientMac(), c.clientSwitchPort());
        }
    }

    @Override
    public void requestReady(ServiceConfig svc, Connection c, HttpRequestHead head, int headLength) {
        byte[] data = c.receivedBytes();
        boolean safe = head.isSafeWithoutBody() && data.length == headLength;
        dispatch(svc, c, new Attempt(head, data, safe, Set.of(), false));
    }

    private void dispatch(ServiceConfig svc, Connection c, Attempt attempt) {
        ServiceRuntime rt = services.byName(svc.name());
        if (rt == null) {
            frontend.refuse(svc, c, io.baton.dispatcher.request.RejectReason.NO_SERVER, "service removed");
            return;
        }
        if (attempt.tried.isEmpty()) {
            rt.countDispatch();
        }
        RequestInfo info = RequestInfo.http(c.key().clientIp(), c.key().clientPort(), attempt.head);
        String pool = rt.rules().poolFor(info);
        long now = nanoClock.getAsLong();
        // A first attempt sees what every connection at its switch sees, which the registry keeps
        // per switch; a retry leaves out the servers it tried.
        PoolView view = attempt.tried.isEmpty()
                ? registry.view(svc.name(), pool, now / 1_000_000L, c.sw(), hosts.version(),
                        s -> reachable(svc, c.sw(), s))
                : registry.view(svc.name(), pool, now / 1_000_000L,
                        s -> reachable(svc, c.sw(), s) && !attempt.tried.contains(s.address()));
        Decision d = rt.policy(pool).choose(info, view);
        if (!d.isForward()) {
            if (!attempt.tried.isEmpty()) {
                counters.handoffsFailed.increment(); // given back, and no other server may take it
            }
            frontend.refuse(svc, c, d.reason(), d.detail());
            return;
        }
        Server server = registry.byName(d.server().name());
        HostLocation loc = hosts.locate(server.mac()).orElseThrow();
        c.server = new ServerBinding(server.name(), server.address(), server.mac(), loc.port(), c.id());
        c.handoffStartedNanos = now;
        table.moveTo(c, ConnectionState.HANDING_OFF);
        inFlight.put(c.id(), c);
        Set<Ipv4Address> tried = new HashSet<>(attempt.tried);
        tried.add(server.address());
        Attempt next = new Attempt(attempt.head, attempt.data, attempt.safeToRepeat, tried, attempt.requestAcknowledged);
        attempts.put(c.id(), next);
        counters.handoffsStarted.increment();
        server.agent().send(request(svc, c, attempt));
        if (svc.mode() == ServiceMode.DSR && l2.routeConfirmed(c.sw(), c.clientMac(), c.clientSwitchPort())) {
            // The switch already carries this server's replies to the client (they leave from the
            // VIP, unrewritten): the server may speak as soon as its socket is rebuilt, without
            // waiting for the reply rule below, which then only pins the client's port.
            next.reverseRuleIn = true;
            next.committedEarly = true;
            server.agent().send(new HandoffCommit(c.id()));
            counters.commitsWithRequest.increment();
        }
        // The reply's rule goes in while the agent prepares: it matches nothing before the server's
        // socket exists, and waiting for it after the agent's answer cost a switch round trip.
        southbound.installRules(c.sw(), List.of(flows.reverseRule(svc, c)))
                .whenComplete((ok, err) -> engine.execute(() -> reverseRuleInstalled(svc, c, next, err)));
        if (next.committedEarly) {
            acknowledgeRequest(svc, c, next); // after the rule: nothing waits for its barrier here
        }
    }

    /**
     * The request is acknowledged to the client once, when the first commit went out (a request
     * that a server gave back after its commit was acknowledged by then). Earlier, the packet-out would go
     * through the switch ahead of the reply's rule and its barrier, on the first byte's path.
     */
    private void acknowledgeRequest(ServiceConfig svc, Connection c, Attempt a) {
        if (!a.requestAcknowledged) {
            a.requestAcknowledged = true;
            frontend.acknowledgeRequest(svc, c);
        }
    }

    private void reverseRuleInstalled(ServiceConfig svc, Connection c, Attempt a, Throwable err) {
        if (attempts.get(c.id()) != a) {
            return; // given up or sent elsewhere meanwhile; its rules were removed then
        }
        if (err != null) {
            Server s = registry.get(c.server.address());
            if (s != null && s.agent() != null) {
                s.agent().send(new HandoffAbort(c.id()));
            }
            takeInFlight(c.id());
            removeRules(c);
            fail(svc, c, "switch refused the rules: " + err.getMessage());
            return;
        }
        a.reverseRuleIn = true;
        if (a.ready != null) {
            commit(svc, c, a.ready, a);
            return;
        }
        // The server may speak now: the agent commits once its socket is rebuilt, without waiting
        // for a commit sent after its ready (a round trip to it, about half a millisecond here).
        Server s = registry.get(c.server.address());
        if (!a.committedEarly && s != null && s.agent() != null) {
            s.agent().send(new HandoffCommit(c.id()));
            a.committedEarly = true;
            acknowledgeRequest(svc, c, a);
        }
    }

    /** Takes a connection out of flight, with its attempt record. */
    private Connection takeInFlight(long id) {
        attempts.remove(id);
        return inFlight.remove(id);
    }

    /**
     * The server gave the connection back before committing: the client has seen nothing from
     * it, so another server may take the same request (its web server saw it only if it is safe
     * to repeat, see {@link Attempt#safeToRepeat}); after {@link #MAX_SERVERS_TRIED}, or with
     * no other server, the client gets a reset.
     */
    private void retryOrFail(Connection c, String reason) {
        Attempt a = attempts.get(c.id());
        takeInFlight(c.id());
        removeRules(c); // the reverse rule, put in while the agent prepared
        ServiceConfig svc = serviceOf(c);
        if (a == null || svc == null || a.tried.size() >= MAX_SERVERS_TRIED) {
            fail(svc, c, reason);
            return;
        }
        Server s = registry.get(c.server.address());
        if (s != null) {
            registry.handoffFailed(s);
        }
        counters.handoffsRedispatched.increment();
        log.info("{}: {} refused it ({}); trying another server", c, c.server.address(), reason);
        dispatch(svc, c, a);
    }

    /** A server can take a connection if its agent is up and the client's switch reaches it. */
    private boolean reachable(ServiceConfig svc, SwitchId sw, Server s) {
        if (s.agent() == null || s.mac() == null) {
            return false;
        }
        if (svc.mode() == ServiceMode.DSR && !s.agent().vips().contains(svc.vip())) {
            return false; // DSR needs the VIP on the server's loopback
        }
        Optional<HostLocation> loc = hosts.locate(s.mac());
        return loc.isPresent() && loc.get().sw().equals(sw);
    }

    private HandoffRequest request(ServiceConfig svc, Connection c, Attempt attempt) {
        int local = svc.mode() == ServiceMode.NAT ? c.server.address().toInt() : svc.vip().toInt();
        return HandoffRequest.builder()
                .handoffId(c.id())
                .clientIpv4(c.key().clientIp()).clientPort(c.key().clientPort())
                .localIpv4(local).localPort(svc.port())
                .sendSeq(c.serverIsn + 1).recvSeq(c.clientIsn + 1)
                .mss(c.mss).sndWscale(c.clientWindowScale).rcvWscale(c.ourWindowScale)
                .sack(c.sack).timestamps(c.timestamps)
                .tsVal(frontend.tsVal(c)).tsEcr(c.tsRecent)
                .sndWnd(c.clientWindow).rcvWnd(receiveWindow)
                .forwardBeforeCommit(forwardBeforeCommit && attempt.safeToRepeat)
                .data(attempt.data)
                .build();
    }

    /**
     * Phase two: the agent has the socket ready. Once the reverse rule is in too, commit: the
     * server may answer at once, its packets rewritten by that rule.
     */
    public void onReady(AgentSession session, long handoffId) {
        Connection c = inFlight.get(handoffId);
        if (c == null || !session.serverAddress().equals(c.server.address())) {
            session.send(new HandoffAbort(handoffId)); // late (timed out) or not this agent's
            return;
        }
        Attempt a = attempts.get(handoffId);
        if (a.ready != null) {
            return; // said twice
        }
        prepareLatency.record(nanoClock.getAsLong() - c.handoffStartedNanos);
        a.ready = session;
        if (a.reverseRuleIn) {
            commit(serviceOf(c), c, session, a);
        }
    }

    /**
     * The connection is the server's from now on. Its forward rule goes in after the commit: until
     * the switch has it, the client's packets still come up, and are sent on to the server.
     */
    private void commit(ServiceConfig svc, Connection c, AgentSession session, Attempt a) {
        takeInFlight(c.id());
        table.moveTo(c, ConnectionState.COMMITTED);
        if (!a.committedEarly) {
            session.send(new HandoffCommit(c.id()));
            acknowledgeRequest(svc, c, a);
        }
        registry.handoffSucceeded(registry.get(c.server.address()));
        counters.handoffsOk.increment();
        long committedAt = nanoClock.getAsLong();
        latency.record(committedAt - c.handoffStartedNanos);
        if (a.safeToRepeat && svc.mode() == ServiceMode.NAT && kept.keep(c.id(), a.data, committedAt)) {
            counters.requestsKept.increment();
        }
        southbound.installRules(c.sw(), List.of(flows.forwardRule(svc, c)))
                .whenComplete((ok, err) -> engine.execute(() -> forwardRuleInstalled(c, committedAt, err)));
        // The server's socket takes segments now: the ones held go on at once, before any that the
        // new rule will carry (waiting for its confirmation let later ones overtake them).
        for (byte[] frame : c.takeHeld()) {
            sendOn(svc, c, frame);
        }
    }

    private void sendOn(ServiceConfig svc, Connection c, byte[] frame) {
        southbound.sendPacket(c.sw(), PacketOut.of(PacketOut.FROM_CONTROLLER, frame,
                flows.clientToServerActions(svc.mode(), c.server)));
    }

    private void forwardRuleInstalled(Connection c, long committedAt, Throwable err) {
        rulesLatency.record(nanoClock.getAsLong() - committedAt);
        if (table.byId(c.id()) != c) {
            if (c.state() != ConnectionState.CLOSED) {
                // Forgotten at once meanwhile (its server died): that removal went out before this
                // install, and a host that does not keep the order of flow operations (ONOS
                // batches) may apply the install after it.
                removeRules(c);
            }
            // Closed by its server: the switch had the rule before confirming it, so the whole
            // exchange passed; the rules go after the linger, with the client's last ACK through.
            return;
        }
        // Refused: the client's next packet comes up again and puts both rules back.
        c.rulesInstalled = err == null;
        if (err != null) {
            log.debug("{}: switch refused the forward rule: {}", c, err.getMessage());
        }
        table.moveTo(c, ConnectionState.HANDED_OFF);
    }

    public void onDrop(AgentSession session, HandoffDrop drop) {
        Connection c = inFlight.get(drop.handoffId());
        if (c == null || !session.serverAddress().equals(c.server.address())) {
            return;
        }
        retryOrFail(c, "agent dropped it: " + drop.reason() + " " + drop.detail());
    }

    /** The agent's connection ended; false if the table does not know it as this server's. */
    public boolean onClosed(AgentSession session, ConnectionClosed closed) {
        Connection c = table.byId(closed.handoffId());
        if (c == null || c.server == null || !session.serverAddress().equals(c.server.address())) {
            return false;
        }
        forget(c);
        if (closed.reason() == CloseReason.FINISHED) {
            removeForwardRule(c);
        }
        Frame next = synsBeforeTheClose.remove(c.id());
        ServiceConfig svc = serviceOf(c);
        if (next != null && svc != null) {
            frontend.onSegment(svc, c.sw(), c.clientSwitchPort(), next); // a reused port now
        }
        return true;
    }

    /**
     * The server's side of {@code c} finished (TIME_WAIT): nothing more is due from the client,
     * whose port may come back at once. The forward rule goes now, the reply rule stays the linger
     * for the server's last ACK. Once the switch confirms, a new connection on the same port need
     * not wait for the old rules (see {@link #waitForClosedRules}).
     */
    private void removeForwardRule(Connection c) {
        long id = c.id();
        ConnectionKey key = c.key();
        southbound.removeRulesByCookie(c.sw(), Cookies.of(Cookies.Kind.CLIENT_TO_SERVER, id), EXACT_COOKIE)
                .whenComplete((ok, err) -> {
                    if (err == null) {
                        engine.execute(() -> lingering.forwardRuleGone(key, id, nanoClock.getAsLong()));
                    }
                });
    }

    private void forget(Connection c) {
        kept.forget(c.id());
        table.removeClosed(c);
        Server s = registry.get(c.server.address());
        if (s != null) {
            registry.connectionEnded(s);
        }
        counters.connectionsClosed.increment();
        lingering.add(c.sw(), c.id(), c.key());
    }

    @Override
    public boolean waitForClosedRules(ServiceConfig svc, SwitchId sw, int inPort, ConnectionKey key, Frame syn) {
        CompletableFuture<Void> removal = clearing.get(key);
        if (removal != null && removal.isDone()) {
            clearing.remove(key);
            removal = null; // gone; a connection closed since may linger with the same key
        }
        if (removal == null) {
            LingeringRules.Taken old = lingering.take(key);
            if (old == null) {
                return false;
            }
            counters.portsReused.increment();
            if (old.forwardGoneNanos != 0 && nanoClock.getAsLong() - old.forwardGoneNanos >= SETTLE_NANOS) {
                // Nothing of the old connection can take the new one's packets any more; its
                // reply rule (the old server's side is in TIME_WAIT, silent) goes without waiting.
                counters.portsReusedAtOnce.increment();
                removeRules(old.sw, old.connectionId);
                return false;
            }
            CompletableFuture<Void> mine = removeRules(old.sw, old.connectionId);
            clearing.put(key, mine);
            mine.whenComplete((ok, err) -> engine.execute(() -> clearing.remove(key, mine)));
            removal = mine;
        }
        removal.whenComplete((ok, err) -> scheduler.schedule(
                () -> engine.execute(() -> frontend.onSegment(svc, sw, inPort, syn)),
                DATAPATH_SETTLE_MILLIS, TimeUnit.MILLISECONDS));
        return true;
    }

    /**
     * A handed-off connection is known to be gone (its server or agent died, or the agent no
     * longer has it): forget it and remove its rules now rather than at idle timeout, so the
     * client's next packet comes to the controller and gets a reset instead of vanishing. The
     * future completes {@link #DATAPATH_SETTLE_MILLIS} after the switch confirmed the removal.
     */
    public CompletableFuture<Void> forgetNow(Connection c) {
        kept.forget(c.id());
        if (c.server != null) {
            givenUp.add(c, c.server.address());
        }
        table.remove(c);
        Server s = registry.get(c.server.address());
        if (s != null) {
            registry.connectionEnded(s);
        }
        CompletableFuture<Void> settled = new CompletableFuture<>();
        removeRules(c).whenComplete((ok, err) -> scheduler.schedule(() -> settled.complete(null),
                DATAPATH_SETTLE_MILLIS, TimeUnit.MILLISECONDS));
        quarantine(c);
        return settled;
    }

    /**
     * Whether {@code c}, committed to a server that just died, may go to another server if that
     * server sent its client nothing: its request is safe to repeat and still kept, and the
     * service is in nat mode (in dsr a dead server that comes back could still send into the
     * connection from the VIP's address; in nat its packets have the wrong source and the client
     * refuses them).
     */
    public boolean mayRescue(Connection c) {
        ServiceConfig svc = serviceOf(c);
        return svc != null && svc.mode() == ServiceMode.NAT && c.server != null
                && (c.state() == ConnectionState.COMMITTED || c.state() == ConnectionState.HANDED_OFF)
                && kept.has(c.id(), nanoClock.getAsLong());
    }

    /**
     * Of these connections, whose server died ({@link #mayRescue} holds for each), those whose
     * reply rule counted no packet go to another server; {@code lose} is given the others. The
     * count is read twice, {@link #RESCUE_CONFIRM_MILLIS} apart, and must be 0 both times.
     */
    public void rescueIfSilent(List<Connection> conns, Consumer<Connection> lose) {
        readReplyCounts(conns, lose, true);
    }

    private void readReplyCounts(List<Connection> conns, Consumer<Connection> lose, boolean readAgain) {
        Map<SwitchId, List<Connection>> bySwitch = new HashMap<>();
        for (Connection c : conns) {
            bySwitch.computeIfAbsent(c.sw(), k -> new ArrayList<>()).add(c);
        }
        bySwitch.forEach((sw, list) -> southbound.flowStats(sw, Cookies.of(Cookies.Kind.SERVER_TO_CLIENT, 0),
                Cookies.KIND_MASK).whenComplete((entries, err) -> engine.execute(() -> {
                    Map<Long, Long> packets = new HashMap<>();
                    if (err == null) {
                        for (FlowStatsEntry e : entries) {
                            packets.put(Cookies.connectionId(e.cookie()), e.packetCount());
                        }
                    } else {
                        log.warn("switch {}: reading the reply rules' counts failed: {}", sw, err.getMessage());
                    }
                    List<Connection> silent = new ArrayList<>();
                    for (Connection c : list) {
                        if (table.byId(c.id()) != c) {
                            continue; // reset by its client meanwhile
                        }
                        Long n = packets.get(c.id());
                        if (n != null && n == 0) {
                            silent.add(c);
                        } else {
                            lose.accept(c);
                        }
                    }
                    if (silent.isEmpty()) {
                        return;
                    }
                    if (readAgain) {
                        scheduler.schedule(() -> engine.execute(() -> readReplyCounts(silent, lose, false)),
                                RESCUE_CONFIRM_MILLIS, TimeUnit.MILLISECONDS);
                        return;
                    }
                    for (Connection c : silent) {
                        if (!rescue(c)) {
                            lose.accept(c);
                        }
                    }
                })));
    }

    /**
     * The server of committed connection {@code c} died and sent its client nothing: the client
     * has seen nothing from it, so the same request goes to another server, with the same TCP
     * state, as if the first had given it back. False (nothing done) if its request is no longer
     * kept.
     */
    boolean rescue(Connection c) {
        ServiceConfig svc = serviceOf(c);
        byte[] data = kept.take(c.id(), nanoClock.getAsLong());
        if (svc == null || data == null || table.byId(c.id()) != c) {
            return false;
        }
        HeadResult head = new HttpHeadDecoder(HttpLimits.builder().maxHeadBytes(Math.max(data.length, 1024)).build())
                .offer(data);
        if (!head.isComplete()) {
            return false;
        }
        Ipv4Address dead = c.server.address();
        givenUp.add(c, dead);
        Server s = registry.get(dead);
        if (s != null) {
            registry.connectionEnded(s);
            if (s.agent() != null) {
                s.agent().send(new HandoffAbort(c.id())); // back already: it must not answer too
            }
        }
        counters.handoffsRescued.increment();
        log.info("{}: its server {} died before sending the client anything; the request goes to another server",
                c, dead);
        table.moveTo(c, ConnectionState.HANDING_OFF); // the client's segments are held from now on
        c.rulesInstalled = false;
        CompletableFuture<Void> removed = removeRules(c);
        quarantine(c); // the dead server's reply match; the next server's reply rule differs
        removed.whenComplete((ok, err) -> engine.execute(() -> {
            if (table.byId(c.id()) == c) {
                dispatch(svc, c, new Attempt(head.head(), data, true, Set.of(dead), true)); // committed: acknowledged
            }
        }));
        return true;
    }

    /** Whether connection {@code id} was given up while {@code server} held it (see {@link #givenUp}). */
    public boolean wasGivenUp(long id, Ipv4Address server) {
        return givenUp.wasGivenUp(id, server);
    }

    /**
     * A segment from a nat server's service port that no connection rule matched came up. The
     * switch sends such a segment up in two cases, and forwarding it unrewritten (as plain
     * traffic) would reach the client from the server's own address, which the client answers
     * with a reset:
     * <ul>
     * <li>It belongs to a connection the table holds with that server: its reply rule is in,
     * but the switch still used a cached datapath flow that predates it (OVS confirms a rule by
     * barrier before its revalidators have updated the cached flows, and a packet that a dead
     * connection's server sent shortly before leaves such a flow, wide on the ports). It goes on
     * to the client with the rule's rewrites.</li>
     * <li>It belongs to a connection given up while that server held it (a server back from the
     * dead): dropped, so that the switch learns no plain forwarding toward the client either.</li>
     * </ul>
     * Returns false for any other segment (traffic that does not go through a VIP).
     */
    public boolean serverSegment(Frame f) {
        for (ServiceRuntime rt : services.all()) {
            ServiceConfig svc = rt.config();
            if (svc.mode() != ServiceMode.NAT || svc.port() != f.srcPort()) {
                continue;
            }
            ConnectionKey key = new ConnectionKey(f.ipDst().toInt(), f.dstPort(), svc.vip().toInt(), svc.port());
            Connection c = table.get(key);
            if (c != null && c.server != null && c.server.address().equals(f.ipSrc())) {
                counters.serverSegmentsSentOn.increment();
                southbound.sendPacket(c.sw(), PacketOut.of(PacketOut.FROM_CONTROLLER, f.bytes(),
                        flows.serverToClientActions(svc, c)));
                return true;
            }
            if (givenUp.wasGivenUp(key, f.ipSrc())) {
                counters.strayServerSegmentsDropped.increment();
                return true;
            }
        }
        return false;
    }

    /** A connection taken back after a restart: it counts toward its server's load again. */
    public void adopted(Connection c) {
        Server s = registry.get(c.server.address());
        if (s != null) {
            registry.connectionAdopted(s);
        }
    }

    private void fail(ServiceConfig svc, Connection c, String reason) {
        log.warn("{}: handoff failed: {}", c, reason);
        counters.handoffsFailed.increment();
        // After a commit its agent may relay it yet (it was paused, say): see GivenUpConnections.
        givenUp.add(c, c.server.address());
        Server s = registry.get(c.server.address());
        if (s != null) {
            registry.handoffFailed(s);
        }
        frontend.abort(svc, c);
    }

    /** A handoff fails after its commit went out: its server may relay it yet, so it is quarantined too. */
    private void failAfterCommit(ServiceConfig svc, Connection c, String reason) {
        fail(svc, c, reason);
        quarantine(c);
    }

    /**
     * In nat, a connection given up while its server may still hold it gets a rule that drops
     * what that server sends into it (see {@link FlowRuleFactory#quarantineRule}). Sent after the
     * removal of its rules, on the same switch connection. Not in dsr: there the match is the
     * VIP's, and would drop a new connection's first replies from another server.
     */
    private void quarantine(Connection c) {
        ServiceConfig svc = serviceOf(c);
        if (svc == null || svc.mode() != ServiceMode.NAT || c.server == null) {
            return;
        }
        counters.connectionsQuarantined.increment();
        southbound.installRules(c.sw(), List.of(flows.quarantineRule(svc, c))).exceptionally(e -> {
            log.debug("{}: the quarantine rule failed: {}", c, e.getMessage());
            return null;
        });
    }

    @Override
    public void segmentAfterDispatch(ServiceConfig svc, Connection c, Frame f) {
        if ((f.flags() & (Frame.TCP_SYN | Frame.TCP_ACK | Frame.TCP_RST | Frame.TCP_FIN)) == Frame.TCP_SYN
                && f.seq() != c.clientIsn
                && (c.state() == ConnectionState.COMMITTED || c.state() == ConnectionState.HANDED_OFF)) {
            // A new connection on this port (not this one's SYN again): the client is done with
            // c, and its server's close report is on its way. The SYN waits for it, then meets
            // c's lingering rules as any reused port does. Sent on now, it would reach the
            // server's TIME_WAIT socket, which gives a SYN to the web server's listener: a
            // connection past Baton, which then holds the four-tuple.
            synsBeforeTheClose.put(c.id(), f);
            counters.synsBeforeTheClose.increment();
            return;
        }
        if (c.state() == ConnectionState.HANDING_OFF) {
            if (!c.hold(f.bytes(), MAX_HELD_FRAMES, MAX_HELD_BYTES)) {
                counters.heldFramesDropped.increment(); // the client will retransmit
            }
            return;
        }
        // Committed, yet the switch sent it up: the forward rule is not confirmed yet, or it
        // expired (idle), or the switch refused it.
        sendOn(svc, c, f.bytes());
        if (c.state() == ConnectionState.HANDED_OFF && !c.rulesInstalled) {
            c.rulesInstalled = true;
            counters.rulesReinstated.increment();
            southbound.installRules(c.sw(), flows.connectionRules(svc, c)).whenComplete((ok, err) -> {
                if (err != null) {
                    engine.execute(() -> c.rulesInstalled = false);
                }
            });
        }
    }

    @Override
    public void clientReset(ServiceConfig svc, Connection c, Frame reset) {
        if (c.state() == ConnectionState.HANDING_OFF) {
            takeInFlight(c.id());
            Server s = registry.get(c.server.address());
            if (s != null && s.agent() != null) {
                s.agent().send(new HandoffAbort(c.id()));
            }
            table.remove(c);
            removeRules(c);
            return;
        }
        // Committed: the server's socket must see the reset too; its agent then reports the close.
        segmentAfterDispatch(svc, c, reset);
    }

    /** A rule is gone. Idle expiry of a live connection's rule is repaired on its next packet. */
    public void onFlowRemoved(SwitchId sw, FlowRemoved removed) {
        if (!Cookies.isBaton(removed.cookie()) || removed.reason() == FlowRemoved.Reason.DELETE
                || Cookies.kind(removed.cookie()) != Cookies.Kind.CLIENT_TO_SERVER) {
            return;
        }
        Connection c = table.byId(Cookies.connectionId(removed.cookie()));
        if (c == null || c.state() != ConnectionState.HANDED_OFF) {
            return;
        }
        c.rulesInstalled = false;
        Server s = registry.get(c.server.address());
        if (s == null || s.agent() == null) {
            forget(c); // no agent to report a close: an idle connection without rules is over
        }
    }

    /** The agent of {@code server} is gone: its pending handoffs fail now rather than at timeout. */
    public void agentDown(Server server) {
        List<Connection> failed = new ArrayList<>();
        for (Connection c : inFlight.values()) {
            if (c.server.address().equals(server.address())) {
                failed.add(c);
            }
        }
        for (Connection c : failed) {
            Attempt a = attempts.get(c.id());
            if (a != null && a.committedEarly) {
                // It may have relayed, and the client seen bytes of an answer another server's
                // answer would not continue.
                takeInFlight(c.id());
                removeRules(c);
                failAfterCommit(serviceOf(c), c, "agent disconnected after the commit");
            } else {
                retryOrFail(c, "agent disconnected");
            }
        }
    }

    /** Fails handoffs that took longer than the timeout. */
    public void expire() {
        long deadline = nanoClock.getAsLong() - handoffTimeoutNanos;
        Iterator<Connection> it = inFlight.values().iterator();
        // Late connection → whether its commit went out (then its server may relay it yet).
        Map<Connection, Boolean> late = new LinkedHashMap<>();
        while (it.hasNext()) {
            Connection c = it.next();
            if (c.handoffStartedNanos - deadline >= 0) {
                break;
            }
            it.remove();
            Attempt a = attempts.remove(c.id());
            late.put(c, a != null && a.committedEarly);
        }
        for (Map.Entry<Connection, Boolean> e : late.entrySet()) {
            Connection c = e.getKey();
            Server s = registry.get(c.server.address());
            if (s != null && s.agent() != null) {
                s.agent().send(new HandoffAbort(c.id()));
            }
            removeRules(c);
            if (e.getValue()) {
                failAfterCommit(serviceOf(c), c, "no answer within the handoff timeout");
            } else {
                fail(serviceOf(c), c, "no answer within the handoff timeout");
            }
        }
    }

    public int inFlight() {
        return inFlight.size();
    }

    /** Closed connections' rules (connection ids per switch), one batch (one barrier) per switch. */
    private void removeRulesOf(Map<SwitchId, List<Long>> closed) {
        closed.forEach((sw, ids) -> {
            List<Long> cookies = new ArrayList<>(ids.size());
            for (long id : ids) {
                cookies.add(Cookies.APP | id);
            }
            southbound.removeRulesByCookies(sw, cookies, Cookies.CONNECTION_MASK).exceptionally(e -> {
                log.debug("switch {}: removing the rules of {} closed connections failed: {}", sw, cookies.size(),
                        e.getMessage());
                return null;
            });
        });
    }

    /** Completes (normally, even on failure) once the switch answered. */
    private CompletableFuture<Void> removeRules(Connection c) {
        return removeRules(c.sw(), c.id());
    }

    private CompletableFuture<Void> removeRules(SwitchId sw, long connectionId) {
        // Both rules of a connection share its id; the mask ignores the kind bits.
        return southbound.removeRulesByCookie(sw, Cookies.APP | connectionId, Cookies.CONNECTION_MASK)
                .exceptionally(e -> {
                    log.debug("switch {}: removing the rules of connection {} failed: {}", sw, connectionId,
                            e.getMessage());
                    return null;
                });
    }

    private ServiceConfig serviceOf(Connection c) {
        return services.byKey(c.key());
    }
}
