package io.baton.controller.recovery;

import io.baton.controller.config.ServiceConfig;
import io.baton.controller.config.ServiceMode;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;
import io.baton.controller.connection.ConnectionState;
import io.baton.controller.connection.ConnectionTable;
import io.baton.controller.connection.ServerBinding;
import io.baton.controller.engine.EngineCounters;
import io.baton.controller.engine.Services;
import io.baton.controller.flows.Cookies;
import io.baton.controller.flows.FlowRuleFactory;
import io.baton.controller.frontend.ClientSender;
import io.baton.controller.handoff.AgentSession;
import io.baton.controller.handoff.HandoffCoordinator;
import io.baton.controller.packet.Frame;
import io.baton.controller.pool.Server;
import io.baton.controller.pool.ServerRegistry;
import io.baton.controller.southbound.Southbound;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.HandoffAbort;
import io.baton.handoff.protocol.LiveConnections;
import io.baton.topology.HostLocation;
import io.baton.topology.HostTable;
import io.netty.util.collection.LongObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Keeps the connection table, the switches' rules and the servers' relayed connections in step,
 * and rebuilds the table after a controller restart from the two things that outlive it:
 * <ul>
 * <li>each switch's rules, read back by flow stats under Baton's cookie (the cookie says the
 *     rule's kind and connection id, the match the client, the actions the server and the
 *     client's port) whenever the switch connects. Rules of known connections the switch lost
 *     (an OVS restart) are put back; rules the table does not know become candidates;</li>
 * <li>each agent's list of the connections it relays, sent after every authentication. A
 *     candidate its server lists is adopted with its old id; one it does not list, or that no
 *     agent claims within the grace period, loses its rules; a known connection its server no
 *     longer has is forgotten and its rules removed; a listed connection no switch showed rules
 *     for (switch and controller both restarted) is adopted at the client's next packet.</li>
 * </ul>
 * Packets to a VIP from a switch being reconciled are held (bounded) and handled once its rules
 * are known, so that no new connection can take an id the switch still uses, and its servers
 * located, so that none is refused for want of a server. Engine thread only.
 */
public final class ConnectionRecovery {
    private static final Logger log = LoggerFactory.getLogger(ConnectionRecovery.class);
    /** Packets held per switch while its rules are read; beyond, dropped (the client retransmits). */
    static final int MAX_HELD_PACKETS = 4096;

    /** Where held packets go once their switch is reconciled: the engine's packet-in path. */
    public interface PacketSink {
        void packetIn(SwitchId sw, int inPort, byte[] frame);
    }

    /** Rules found on a switch for a connection the table does not know; waiting for its server's word. */
    private static final class Candidate {
        final long id;
        final SwitchId sw;
        final ConnectionKey key;
        final int clientSwitchPort;
        /** The server's address as the rules rewrite to it (nat), or null (dsr: only its MAC). */
        final Ipv4Address serverAddress;
        final MacAddress serverMac;
        final int serverSwitchPort;
        final long deadlineNanos;

        Candidate(long id, SwitchId sw, ConnectionKey key, int clientSwitchPort, Ipv4Address serverAddress,
                  MacAddress serverMac, int serverSwitchPort, long deadlineNanos) {
            this.id = id;
            this.sw = sw;
            this.key = key;
            this.clientSwitchPort = clientSwitchPort;
            this.serverAddress = serverAddress;
            this.serverMac = serverMac;
            this.serverSwitchPort = serverSwitchPort;
            this.deadlineNanos = deadlineNanos;
        }

        boolean isOf(Server s) {
            return serverAddress != null ? serverAddress.equals(s.address()) : serverMac.equals(s.mac());
        }
    }

    /** A connection an agent relays that no rule or table entry accounts for yet. */
    private static final class Orphan {
        final long id;
        final Ipv4Address server;
        final int localIpv4;
        final long deadlineNanos;

        Orphan(long id, Ipv4Address server, int localIpv4, long deadlineNanos) {
            this.id = id;
            this.server = server;
            this.localIpv4 = localIpv4;
            this.deadlineNanos = deadlineNanos;
        }
    }

    /** Client address, client port and service port: what a VIP packet and an agent's socket share. */
    private static final class ClientEnd {
        final int clientIpv4;
        final int clientPort;
        final int servicePort;

        ClientEnd(int clientIpv4, int clientPort, int servicePort) {
            this.clientIpv4 = clientIpv4;
            this.clientPort = clientPort;
            this.servicePort = servicePort;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof ClientEnd)) {
                return false;
            }
            ClientEnd e = (ClientEnd) o;
            return clientIpv4 == e.clientIpv4 && clientPort == e.clientPort && servicePort == e.servicePort;
        }

        @Override
        public int hashCode() {
            return (clientIpv4 * 31 + clientPort) * 31 + servicePort;
        }
    }

    private static final class HeldPacket {
        final int inPort;
        final byte[] frame;

        HeldPacket(int inPort, byte[] frame) {
            this.inPort = inPort;
            this.frame = frame;
        }
    }

    private final ConnectionTable table;
    private final ServerRegistry registry;
    private final Services services;
    private final HostTable hosts;
    private final Southbound southbound;
    private final FlowRuleFactory flows;
    private final HandoffCoordinator handoffs;
    private final ClientSender sender;
    private final EngineCounters counters;
    private final Executor engine;
    private final LongSupplier nanoClock;
    private final long candidateGraceNanos;
    private final long orphanGraceNanos;
    private final int maxEntries;
    private final long startedNanos;
    private PacketSink replay;

    private final LongObjectHashMap<Candidate> candidates = new LongObjectHashMap<>();
    private final Map<ClientEnd, Orphan> orphans = new HashMap<>();
    /** Servers whose agent sent its whole list in its current session. */
    private final Set<Ipv4Address> listed = new HashSet<>();
    /** Ids of lists still arriving, per server. */
    private final Map<Ipv4Address, Set<Long>> listing = new HashMap<>();
    private final Map<SwitchId, ArrayDeque<HeldPacket>> reconciling = new LinkedHashMap<>();
    /**
     * Clients of a dead server's connections that were sent an ACK to answer, oldest first: their
     * answer gets a reset even while the table is still being rebuilt after a restart, since these
     * connections are known to be gone. Bounded by maxEntries.
     */
    private final LinkedHashMap<ConnectionKey, Probe> provoked = new LinkedHashMap<>();
    private static final long PROVOKED_ANSWER_NANOS = 10_000_000_000L;
    /**
     * A client that has not answered is sent the ACK again this much later, up to {@link #PROBES}
     * times in all: one answer lost (or one probe the client's kernel ignored, since Linux
     * answers an unacceptable segment at most every 500 ms) must not leave it waiting.
     */
    private static final long PROBE_AGAIN_NANOS = 1_000_000_000L;
    private static final int PROBES = 3;

    private static final class Probe {
        final Connection connection;
        final MacAddress virtualMac;
        final MacAddress clientMac;
        final long firstNanos;
        long lastNanos;
        int sent = 1;

        Probe(Connection connection, MacAddress virtualMac, MacAddress clientMac, long nowNanos) {
            this.connection = connection;
            this.virtualMac = virtualMac;
            this.clientMac = clientMac;
            this.firstNanos = nowNanos;
            this.lastNanos = nowNanos;
        }
    }
    private long servingAfterNanos = -1;
    private long rebuiltAfterNanos = -1;

    /**
     * @param candidateGraceMillis how long rules the table does not know wait for an agent to
     *                             claim them (agents reconnect within about a second)
     * @param orphanGraceMillis    how long a listed connection waits for its switch's rules or
     *                             its client's next packet (a switch may take seconds to reconnect)
     * @param maxEntries           bound on candidates, orphans and any list being received
     */
    public ConnectionRecovery(ConnectionTable table, ServerRegistry registry, Services services, HostTable hosts,
                              Southbound southbound, FlowRuleFactory flows, HandoffCoordinator handoffs,
                              EngineCounters counters, Executor engine, LongSupplier nanoClock,
                              long candidateGraceMillis, long orphanGraceMillis, int maxEntries) {
        this.table = table;
        this.registry = registry;
        this.services = services;
        this.hosts = hosts;
        this.southbound = southbound;
        this.flows = flows;
        this.handoffs = handoffs;
        this.sender = new ClientSender(southbound);
        this.counters = counters;
        this.engine = engine;
        this.nanoClock = nanoClock;
        this.candidateGraceNanos = candidateGraceMillis * 1_000_000L;
        this.orphanGraceNanos = orphanGraceMillis * 1_000_000L;
        this.maxEntries = maxEntries;
        this.startedNanos = nanoClock.getAsLong();
    }

    /** The engine and recovery call each other; the engine wires them once. */
    public void replayTo(PacketSink sink) {
        this.replay = sink;
    }

    // ---- switches

    /** A switch connected: read its rules back before serving its VIP packets. */
    public void switchUp(SwitchId sw) {
        if (reconciling.containsKey(sw)) {
            return;
        }
        reconciling.put(sw, new ArrayDeque<>());
        southbound.flowStats(sw, Cookies.APP, Cookies.APP_MASK)
                .whenComplete((entries, err) -> engine.execute(() -> reconciled(sw, entries, err)));
    }

    public void switchDown(SwitchId sw) {
        locating.remove(sw);
        ArrayDeque<HeldPacket> held = reconciling.remove(sw);
        if (held != null) {
            counters.packetsDroppedWhileReconciling.add(held.size());
        }
    }

    /** True if a VIP packet from {@code sw} must wait (then it was held or dropped and counted). */
    public boolean holdIfReconciling(SwitchId sw, int inPort, byte[] frame) {
        if (reconciling.isEmpty()) {
            return false; // every packet to a VIP asks: keep the usual answer cheap
        }
        ArrayDeque<HeldPacket> held = reconciling.get(sw);
        if (held == null) {
            return false;
        }
        if (held.size() < MAX_HELD_PACKETS) {
            held.add(new HeldPacket(inPort, frame));
            counters.packetsHeldWhileReconciling.increment();
        } else {
            counters.packetsDroppedWhileReconciling.increment();
        }
        return true;
    }

    private void reconciled(SwitchId sw, List<FlowStatsEntry> entries, Throwable err) {
        if (!reconciling.containsKey(sw)) {
            return; // the switch left meanwhile
        }
        if (err != null) {
            counters.reconcileFailures.increment();
            log.warn("switch {}: could not read its rules back ({}); serving without them", sw, err.getMessage());
        } else {
            reconcile(sw, entries);
        }
        locating.put(sw, nanoClock.getAsLong() + LOCATE_WAIT_NANOS);
        releaseLocated();
    }

    /**
     * Switches whose rules are read, still holding their VIP packets until every server with an
     * agent is located (or {@link #LOCATE_WAIT_NANOS} passed): after a restart the agents are
     * often back before the switch, and a request dispatched before the ARP probes' answers
     * found their servers on it would get a 503 with every server up.
     */
    private final Map<SwitchId, Long> locating = new LinkedHashMap<>();
    static final long LOCATE_WAIT_NANOS = 2_000_000_000L;

    /** Whether some switch waits for servers to be located (the engine then probes for them more often). */
    public boolean locatingServers() {
        return !locating.isEmpty();
    }

    /** A host was learned: a switch waiting for its servers may serve now. */
    public void hostLearned() {
        if (!locating.isEmpty()) {
            releaseLocated();
        }
    }

    private void releaseLocated() {
        if (locating.isEmpty()) {
            return;
        }
        int unlocated = 0;
        for (Server s : registry.all()) {
            if (s.agent() != null && s.mac() != null && hosts.locate(s.mac()).isEmpty()) {
                unlocated++;
            }
        }
        long now = nanoClock.getAsLong();
        List<SwitchId> ready = new ArrayList<>();
        for (Map.Entry<SwitchId, Long> e : locating.entrySet()) {
            if (unlocated == 0 || now - e.getValue() >= 0) {
                ready.add(e.getKey());
            }
        }
        for (SwitchId sw : ready) {
            locating.remove(sw);
            ArrayDeque<HeldPacket> held = reconciling.remove(sw);
            if (unlocated > 0) {
                log.warn("switch {}: serving with {} servers not located on any switch yet", sw, unlocated);
            }
            if (servingAfterNanos < 0) {
                servingAfterNanos = now - startedNanos;
                log.info("serving {} ms after start", servingAfterNanos / 1_000_000L);
            }
            if (held != null) {
                for (HeldPacket p : held) {
                    replay.packetIn(sw, p.inPort, p.frame);
                }
            }
        }
        if (!ready.isEmpty()) {
            checkRebuilt();
        }
    }

    private void reconcile(SwitchId sw, List<FlowStatsEntry> entries) {
        Map<Long, FlowStatsEntry> forward = new HashMap<>();
        Map<Long, FlowStatsEntry> reverse = new HashMap<>();
        long maxId = 0;
        for (FlowStatsEntry e : entries) {
            if (!Cookies.isBaton(e.cookie())) {
                continue;
            }
            Cookies.Kind kind;
            try {
                kind = Cookies.kind(e.cookie());
            } catch (IllegalArgumentException ex) {
                counters.staleRulesRemoved.increment(); // a kind this version does not know: not ours to keep
                southbound.removeRulesByCookie(sw, e.cookie(), -1L);
                continue;
            }
            long id = Cookies.connectionId(e.cookie());
            if (kind == Cookies.Kind.CLIENT_TO_SERVER) {
                forward.put(id, e);
            } else if (kind == Cookies.Kind.SERVER_TO_CLIENT) {
                reverse.put(id, e);
            } else {
                continue;
            }
            maxId = Math.max(maxId, id);
        }
        table.reserveIdsAbove(maxId);

        int restored = 0;
        for (Connection c : table.snapshot()) {
            if (c.sw().equals(sw) && c.state() == ConnectionState.HANDED_OFF && c.rulesInstalled
                    && (!forward.containsKey(c.id()) || !reverse.containsKey(c.id()))) {
                ServiceConfig svc = services.byKey(c.key());
                if (svc != null) {
                    southbound.installRules(sw, flows.connectionRules(svc, c)).whenComplete((ok, e) -> {
                        if (e != null) {
                            log.warn("{}: restoring its rules failed: {}", c, e.getMessage());
                            engine.execute(() -> c.rulesInstalled = false);
                        }
                    });
                    restored++;
                }
            }
        }
        counters.rulesRestored.add(restored);

        Set<Long> ids = new HashSet<>(forward.keySet());
        ids.addAll(reverse.keySet());
        int kept = 0;
        int found = 0;
        for (long id : ids) {
            if (table.byId(id) != null) {
                kept++;
                continue;
            }
            Candidate k = candidate(sw, id, forward.get(id), reverse.get(id));
            if (k == null) {
                removeRules(sw, id, "rules of an unknown connection that cannot be read back");
                continue;
            }
            found++;
            Server s = serverOf(k);
            if (s != null && listed.contains(s.address())) {
                Orphan o = orphans.get(clientEnd(k.key));
                if (o != null && o.id == id && o.server.equals(s.address())) {
                    orphans.remove(clientEnd(k.key));
                    adopt(k, s);
                } else {
                    removeRules(sw, id, "its server " + s.address() + " does not relay it");
                }
            } else if (candidates.size() < maxEntries) {
                candidates.put(id, k);
            } else {
                removeRules(sw, id, "too many unclaimed connections");
            }
        }
        log.info("switch {}: {} Baton connection rule sets read back: {} known, {} unknown, {} restored",
                sw, ids.size(), kept, found, restored);
    }

    /** What the two rules of connection {@code id} say, or null if they cannot be taken back. */
    private Candidate candidate(SwitchId sw, long id, FlowStatsEntry forward, FlowStatsEntry reverse) {
        if (forward == null || reverse == null) {
            return null; // half a connection cannot carry it
        }
        Optional<Ipv4Address> client = forward.match().ipv4Src();
        Optional<Integer> clientPort = forward.match().tcpSrc();
        Optional<Ipv4Address> vip = forward.match().ipv4Dst();
        Optional<Integer> port = forward.match().tcpDst();
        if (client.isEmpty() || clientPort.isEmpty() || vip.isEmpty() || port.isEmpty()) {
            return null;
        }
        ConnectionKey key = new ConnectionKey(client.get().toInt(), clientPort.get(), vip.get().toInt(), port.get());
        ServiceConfig svc = services.byKey(key);
        if (svc == null) {
            return null; // the service is gone
        }
        Ipv4Address serverAddress = null;
        MacAddress serverMac = null;
        int serverPort = -1;
        for (FlowAction a : forward.actions()) {
            switch (a.kind()) {
                case SET_ETH_DST: serverMac = a.mac(); break;
                case SET_IPV4_DST: serverAddress = a.ipv4(); break;
                case OUTPUT: serverPort = a.port(); break;
                default: break;
            }
        }
        int clientSwitchPort = -1;
        for (FlowAction a : reverse.actions()) {
            if (a.kind() == FlowAction.Kind.OUTPUT) {
                clientSwitchPort = a.port();
            }
        }
        if (serverMac == null || serverPort < 0 || clientSwitchPort < 0
                || (svc.mode() == ServiceMode.NAT) != (serverAddress != null)) {
            return null;
        }
        return new Candidate(id, sw, key, clientSwitchPort, serverAddress, serverMac, serverPort,
                nanoClock.getAsLong() + candidateGraceNanos);
    }

    private Server serverOf(Candidate k) {
        if (k.serverAddress != null) {
            return registry.get(k.serverAddress);
        }
        for (Server s : registry.all()) {
            if (k.serverMac.equals(s.mac())) {
                return s;
            }
        }
        return null;
    }

    private void adopt(Candidate k, Server s) {
        Connection c = table.adopt(k.id, k.key, k.sw, k.clientSwitchPort, MacAddress.ZERO, nanoClock.getAsLong());
        if (c == null) {
            counters.recoveryConflicts.increment();
            log.warn("connection {} ({}) cannot be taken back: its id or address is in use", k.id, k.key);
            return;
        }
        c.server = new ServerBinding(s.name(), s.address(), k.serverMac, k.serverSwitchPort, k.id);
        c.handoffStartedNanos = nanoClock.getAsLong();
        c.rulesInstalled = true;
        handoffs.adopted(c);
        counters.connectionsAdopted.increment();
        log.debug("{}: taken back from the switch's rules and its server's list", c);
    }

    private void removeRules(SwitchId sw, long id, String why) {
        counters.staleRulesRemoved.increment();
        log.info("switch {}: removing the rules of connection {}: {}", sw, id, why);
        southbound.removeRulesByCookie(sw, Cookies.APP | id, Cookies.CONNECTION_MASK).exceptionally(e -> {
            log.debug("switch {}: removing the rules of connection {} failed: {}", sw, id, e.getMessage());
            return null;
        });
    }

    // ---- agents

    /** One part of an agent's list of relayed connections. */
    public void liveConnections(AgentSession session, LiveConnections m) {
        Server s = registry.get(session.serverAddress());
        if (s == null || s.agent() != session) {
            return;
        }
        counters.liveListsReceived.increment();
        Set<Long> ids = listing.computeIfAbsent(s.address(), a -> new HashSet<>());
        for (LiveConnections.Entry e : m.entries()) {
            if (ids.size() >= maxEntries) {
                counters.recoveryConflicts.increment();
                break;
            }
            ids.add(e.handoffId());
            Connection known = table.byId(e.handoffId());
            if (known != null) {
                if (known.server != null && !known.server.address().equals(s.address())) {
                    // Handed to another server while this one was away (a rescue): it must not answer too.
                    counters.zombiesAborted.increment();
                    session.send(new HandoffAbort(e.handoffId()));
                }
                continue;
            }
            Candidate k = candidates.get(e.handoffId());
            if (k != null && k.isOf(s) && k.key.clientIp() == e.clientIpv4() && k.key.clientPort() == e.clientPort()) {
                candidates.remove(e.handoffId());
                adopt(k, s);
            } else if (k == null && handoffs.wasGivenUp(e.handoffId(), s.address())) {
                // Given up while its server was away (lost with it, or rescued by another server).
                counters.zombiesAborted.increment();
                session.send(new HandoffAbort(e.handoffId()));
            } else if (orphans.size() < maxEntries) {
                orphans.put(new ClientEnd(e.clientIpv4(), e.clientPort(), e.localPort()),
                        new Orphan(e.handoffId(), s.address(), e.localIpv4(), nanoClock.getAsLong() + orphanGraceNanos));
                table.reserveIdsAbove(e.handoffId());
            }
        }
        if (!m.last()) {
            return;
        }
        listing.remove(s.address());
        listed.add(s.address());
        int lost = 0;
        for (Connection c : table.snapshot()) {
            // Only connections handed off before this session: a newer one may not be on the list yet.
            if (c.state() == ConnectionState.HANDED_OFF && c.server != null && c.server.address().equals(s.address())
                    && c.handoffStartedNanos / 1_000_000L < s.upSinceMillis() && !ids.contains(c.id())) {
                handoffs.forgetNow(c);
                lost++;
            }
        }
        counters.connectionsLostWithServer.add(lost);
        int unclaimed = 0;
        Iterator<Candidate> it = candidates.values().iterator();
        List<Candidate> stale = new ArrayList<>();
        while (it.hasNext()) {
            Candidate k = it.next();
            if (k.isOf(s) && !ids.contains(k.id)) {
                it.remove();
                stale.add(k);
            }
        }
        for (Candidate k : stale) {
            removeRules(k.sw, k.id, "its server " + s.address() + " does not relay it");
            unclaimed++;
        }
        log.info("server {} relays {} connections; {} the controller knew are gone, {} unclaimed rule sets removed",
                s.address(), ids.size(), lost, unclaimed);
        checkRebuilt();
    }

    /**
     * A connection the table does not know ended on its server: if it was listed or found on a
     * switch but not taken back yet, it must not be taken back later (nothing would end it).
     */
    public void closedBeforeTakenBack(AgentSession session, long id) {
        Server s = registry.get(session.serverAddress());
        if (s == null || s.agent() != session) {
            return;
        }
        orphans.values().removeIf(o -> o.id == id && o.server.equals(s.address()));
        Candidate k = candidates.get(id);
        if (k != null && k.isOf(s)) {
            candidates.remove(id);
            removeRules(k.sw, id, "it ended on its server before it was taken back");
        }
        Set<Long> partial = listing.get(s.address());
        if (partial != null) {
            partial.remove(id);
        }
    }

    /**
     * The server's agent is gone: the connections it relayed are gone with it (the agent holds
     * their sockets), so their rules go now rather than at idle timeout.
     */
    public void serverDown(Server s) {
        listed.remove(s.address());
        listing.remove(s.address());
        orphans.values().removeIf(o -> o.server.equals(s.address()));
        int n = 0;
        List<Connection> rescuable = new ArrayList<>();
        for (Connection c : table.snapshot()) {
            // Committed with its forward rule not confirmed yet: the dead agent's socket is gone too.
            boolean committed = c.state() == ConnectionState.HANDED_OFF || c.state() == ConnectionState.COMMITTED;
            if (committed && c.server != null && c.server.address().equals(s.address())) {
                if (handoffs.mayRescue(c)) {
                    rescuable.add(c);
                } else {
                    lose(c);
                    n++;
                }
            }
        }
        if (n > 0) {
            log.warn("server {}: {} handed-off connections ended with its agent; their rules are removed", s.address(), n);
        }
        if (!rescuable.isEmpty()) {
            log.info("server {}: {} connections may not have had an answer yet; reading their reply rules' counts",
                    s.address(), rescuable.size());
            handoffs.rescueIfSilent(rescuable, this::lose);
        }
    }

    /** A connection that ended with its server: its rules go now, and its client is made to speak (and reset). */
    private void lose(Connection c) {
        ServiceConfig svc = services.byKey(c.key());
        handoffs.forgetNow(c).thenRun(() -> engine.execute(() -> provokeAck(svc, c)));
        counters.connectionsLostWithServer.increment();
    }

    private void provokeAck(ServiceConfig svc, Connection c) {
        MacAddress mac = MacAddress.ZERO.equals(c.clientMac())
                ? hosts.macOf(Ipv4Address.of(c.key().clientIp())).orElse(null) : c.clientMac();
        if (svc != null && mac != null) {
            counters.deadServerClientsProbed.increment();
            if (provoked.size() >= maxEntries) {
                provoked.remove(provoked.keySet().iterator().next());
            }
            provoked.put(c.key(), new Probe(c, svc.virtualMac(), mac, nanoClock.getAsLong()));
            sender.provokeAck(c, svc.virtualMac(), mac);
        }
    }

    /**
     * Whether a pure ACK for a connection the table does not know gets a reset: once nothing
     * can be taken back any more, or when it answers the ACK sent to a dead server's client.
     */
    public boolean resetsStrayAck(ConnectionKey key) {
        Probe p = provoked.remove(key);
        return settled() || (p != null && nanoClock.getAsLong() - p.firstNanos < PROVOKED_ANSWER_NANOS);
    }

    /** True while some server relays a connection that no rule or table entry accounts for. */
    public boolean awaitsClients() {
        return !orphans.isEmpty();
    }

    /**
     * A packet to a VIP for a connection the table does not know: if a server relays it (it was
     * listed, and no switch showed its rules), take it back now. Returns the connection, or null.
     */
    public Connection adoptOnPacket(ServiceConfig svc, SwitchId sw, int inPort, Frame f) {
        if (f.has(Frame.TCP_SYN)) {
            return null;
        }
        ClientEnd end = new ClientEnd(f.ipSrc().toInt(), f.srcPort(), f.dstPort());
        Orphan o = orphans.get(end);
        if (o == null) {
            return null;
        }
        Server s = registry.get(o.server);
        if (s == null || s.agent() == null || s.mac() == null) {
            return null;
        }
        int expectedLocal = svc.mode() == ServiceMode.NAT ? s.address().toInt() : svc.vip().toInt();
        Optional<HostLocation> loc = hosts.locate(s.mac());
        if (o.localIpv4 != expectedLocal || loc.isEmpty() || !loc.get().sw().equals(sw)) {
            return null;
        }
        orphans.remove(end);
        ConnectionKey key = new ConnectionKey(f.ipSrc().toInt(), f.srcPort(), f.ipDst().toInt(), f.dstPort());
        Connection c = table.adopt(o.id, key, sw, inPort, f.ethSrc(), nanoClock.getAsLong());
        if (c == null) {
            counters.recoveryConflicts.increment();
            return null;
        }
        c.server = new ServerBinding(s.name(), s.address(), s.mac(), loc.get().port(), o.id);
        c.handoffStartedNanos = nanoClock.getAsLong();
        c.rulesInstalled = false; // the caller's packet puts them in
        handoffs.adopted(c);
        counters.connectionsAdopted.increment();
        log.debug("{}: taken back at its client's packet, from its server's list", c);
        return c;
    }

    // ---- time

    /** Removes the rules no agent claimed in time, and forgets orphans nobody came for. */
    public void expire() {
        releaseLocated();
        long now = nanoClock.getAsLong();
        List<Candidate> late = new ArrayList<>();
        Iterator<Candidate> it = candidates.values().iterator();
        while (it.hasNext()) {
            Candidate k = it.next();
            if (now - k.deadlineNanos >= 0) {
                it.remove();
                late.add(k);
            }
        }
        for (Candidate k : late) {
            removeRules(k.sw, k.id, "no server claimed it in time");
        }
        orphans.values().removeIf(o -> now - o.deadlineNanos >= 0);
        // A client that reused the port meanwhile has a new connection under the same key: leave it be.
        provoked.values().removeIf(p -> now - p.firstNanos >= PROVOKED_ANSWER_NANOS
                || table.get(p.connection.key()) != null);
        for (Probe p : provoked.values()) {
            if (p.sent < PROBES && now - p.lastNanos >= PROBE_AGAIN_NANOS) {
                p.sent++;
                p.lastNanos = now;
                counters.deadServerClientsProbed.increment();
                sender.provokeAck(p.connection, p.virtualMac, p.clientMac);
            }
        }
        checkRebuilt();
    }

    private void checkRebuilt() {
        if (rebuiltAfterNanos >= 0 || servingAfterNanos < 0 || !candidates.isEmpty() || !reconciling.isEmpty()) {
            return;
        }
        for (Server s : registry.all()) {
            if (s.agent() != null && !listed.contains(s.address())) {
                return;
            }
        }
        if (listed.isEmpty()) {
            return; // no agent yet: nothing to rebuild from
        }
        rebuiltAfterNanos = nanoClock.getAsLong() - startedNanos;
        log.info("connection table rebuilt {} ms after start: {} connections", rebuiltAfterNanos / 1_000_000L,
                table.size() - table.pendingSize());
    }

    /**
     * True once nothing handed off before a restart can still be taken back: the table is
     * rebuilt and no switch, rule or listed connection waits for its counterpart.
     */
    public boolean settled() {
        return rebuiltAfterNanos >= 0 && reconciling.isEmpty() && candidates.isEmpty() && orphans.isEmpty();
    }

    /** Figures for /api/v1/stats. */
    public Map<String, Object> report() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("servingAfterMillis", servingAfterNanos < 0 ? null : servingAfterNanos / 1_000_000L);
        m.put("rebuiltAfterMillis", rebuiltAfterNanos < 0 ? null : rebuiltAfterNanos / 1_000_000L);
        m.put("unclaimedRuleSets", candidates.size());
        m.put("listedNotSeen", orphans.size());
        m.put("switchesReconciling", reconciling.size());
        return m;
    }

    private static ClientEnd clientEnd(ConnectionKey k) {
        return new ClientEnd(k.clientIp(), k.clientPort(), k.vipPort());
    }
}
