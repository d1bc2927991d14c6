package io.baton.agent;

import io.baton.agent.relay.ProxyHeader;
import io.baton.agent.relay.Relay;
import io.baton.agent.repair.RepairException;
import io.baton.agent.repair.RepairParams;
import io.baton.agent.repair.SocketDiag;
import io.baton.agent.repair.TcpRepair;
import io.baton.handoff.protocol.ConnectionClosed;
import io.baton.handoff.protocol.DropReason;
import io.baton.handoff.protocol.HandoffDrop;
import io.baton.handoff.protocol.HandoffMessage;
import io.baton.handoff.protocol.HandoffReady;
import io.baton.handoff.protocol.HandoffRequest;
import io.baton.handoff.protocol.HandoffWire;
import io.baton.handoff.protocol.Ipv4;
import io.baton.handoff.protocol.LiveConnections;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two-phase handoff on the agent side. All state lives on one thread, {@code ctl} (TCP
 * repair system calls run there too, off the Netty event loops); relays run on the event loops
 * and report back to {@code ctl}.
 *
 * <pre>
 * HandoffRequest -> checks -> TCP repair restore -> connect to the web server -> HandoffReady
 *      (and the request to the web server at once, if the controller says it is safe to repeat)
 *   -> HandoffCommit  -> adopt the socket in Netty, relay -> ConnectionClosed
 *      (a commit that comes before the ready, as it usually does, is applied right after it)
 *   -> HandoffAbort   -> close in repair mode (nothing sent), no message
 *   -> commit timeout -> close in repair mode, HandoffDrop(COMMIT_TIMEOUT)
 * </pre>
 *
 * <p>The request bytes go to the web server from the HandoffRequest, not through the recreated
 * socket, whose receive queue starts after them: so they can go before the commit, while the
 * client socket must stay silent.
 */
final class HandoffManager {

    private static final Logger LOG = LoggerFactory.getLogger(HandoffManager.class);

    private enum State { PREPARING, READY, RELAYING, CLOSED }

    private record Tuple(int clientIpv4, int clientPort, int localIpv4, int localPort) {
        static Tuple of(HandoffRequest r) {
            return new Tuple(r.clientIpv4(), r.clientPort(), r.localIpv4(), r.localPort());
        }

        @Override
        public String toString() {
            return Ipv4.toString(clientIpv4) + ":" + clientPort + " -> " + Ipv4.toString(localIpv4) + ":" + localPort;
        }
    }

    private static final class Handoff {
        final HandoffRequest request;
        final Tuple tuple;
        final EventLoop loop;
        State state = State.PREPARING;
        int fd;
        ScheduledFuture<?> timeout;
        boolean commitPending;
        /** From the ready on: the web server connection, and the client socket after the commit. */
        Relay relay;

        Handoff(HandoffRequest request, int fd, EventLoop loop) {
            this.request = request;
            this.tuple = Tuple.of(request);
            this.fd = fd;
            this.loop = loop;
        }

        long id() {
            return request.handoffId();
        }
    }

    private final AgentConfig config;
    /** The family of the web server's address, for its connections' sockets (see {@link #connectUpstream}). */
    private final InternetProtocolFamily upstreamFamily;
    private final EventLoopGroup group;
    private final ScheduledExecutorService ctl;
    private final Consumer<HandoffMessage> toController;
    private final Set<Integer> myAddresses = new HashSet<>();
    private final Map<Long, Handoff> byId = new HashMap<>();
    private final Map<Tuple, Handoff> byTuple = new HashMap<>();
    private final AtomicInteger live = new AtomicInteger();
    private final LongAdder orphansDestroyed = new LongAdder();
    /** Null when --preconnect is 0. */
    private final UpstreamPool preconnected;
    /** How long a preconnected web server connection may wait for a handoff. */
    static final long PRECONNECT_MAX_IDLE_MILLIS = 5_000;

    HandoffManager(AgentConfig config, EventLoopGroup group, ScheduledExecutorService ctl,
                   Consumer<HandoffMessage> toController) {
        this.config = config;
        this.upstreamFamily = config.upstream().getAddress() instanceof java.net.Inet6Address
                ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4;
        this.group = group;
        this.ctl = ctl;
        this.toController = toController;
        myAddresses.add(config.serverIpv4());
        myAddresses.addAll(config.vips());
        if (config.preconnect() > 0) {
            preconnected = new UpstreamPool(this::connectUpstream, group::next, ctl, config.preconnect(),
                    PRECONNECT_MAX_IDLE_MILLIS);
            ctl.scheduleWithFixedDelay(preconnected::maintain, 0, 1, TimeUnit.SECONDS);
        } else {
            preconnected = null;
        }
    }

    /** Handed-off connections held now: preparing, ready or relaying. */
    /** Sockets of earlier connections destroyed because a client reused their four-tuple. */
    long orphansDestroyed() {
        return orphansDestroyed.sum();
    }

    int liveConnections() {
        return live.get();
    }

    /**
     * Sends the controller the list of relayed connections (several messages if long). Only
     * relayed ones: a handoff still preparing belongs to a controller session that may be gone,
     * and the controller aborts or times it out on its own.
     */
    void reportLive() {
        ctl.execute(() -> {
            List<LiveConnections.Entry> batch = new ArrayList<>();
            int sent = 0;
            for (Handoff h : byId.values()) {
                if (h.state != State.RELAYING) {
                    continue;
                }
                if (batch.size() == HandoffWire.MAX_LIVE_ENTRIES) {
                    toController.accept(new LiveConnections(batch, false));
                    batch = new ArrayList<>();
                }
                batch.add(new LiveConnections.Entry(h.id(), h.tuple.clientIpv4(), h.tuple.clientPort(),
                        h.tuple.localIpv4(), h.tuple.localPort()));
                sent++;
            }
            toController.accept(new LiveConnections(batch, true));
            LOG.info("told the controller of {} relayed connections", sent);
        });
    }

    void onRequest(HandoffRequest r) {
        ctl.execute(() -> handleRequest(r));
    }

    void onCommit(long id) {
        ctl.execute(() -> handleCommit(id));
    }

    void onAbort(long id) {
        ctl.execute(() -> handleAbort(id));
    }

    /**
     * The controller session ended: it failed (or handed elsewhere) every handoff it had not
     * committed with a ready in hand, so each one not relaying yet closes silently here, with no
     * message. Otherwise one whose commit came before the loss, rebuilt after it (an agent paused
     * meanwhile), would start relaying to a client that was reset long ago.
     */
    void sessionLost() {
        ctl.execute(() -> {
            int n = 0;
            for (Handoff h : new ArrayList<>(byId.values())) {
                if (h.state != State.RELAYING) {
                    forget(h);
                    n++;
                }
            }
            if (n > 0) {
                LOG.info("controller session lost: {} handoffs not relaying yet closed silently", n);
            }
        });
    }

    /** Closes everything (agent shutdown): unfinished handoffs silently, relays normally. */
    void shutdown() {
        ctl.execute(() -> {
            if (preconnected != null) {
                preconnected.close();
            }
            for (Handoff h : new ArrayList<>(byId.values())) {
                if (h.state == State.RELAYING) {
                    h.relay.close();
                } else {
                    forget(h);
                }
            }
        });
    }

    private void drop(long id, DropReason reason, String detail) {
        LOG.info("handoff {}: drop {}: {}", id, reason, detail);
        toController.accept(new HandoffDrop(id, reason, detail));
    }

    private void handleRequest(HandoffRequest r) {
        long id = r.handoffId();
        String problem = r.validationProblem();
        if (problem != null) {
            drop(id, DropReason.BAD_REQUEST, problem);
            return;
        }
        if (!myAddresses.contains(r.localIpv4())) {
            drop(id, DropReason.NOT_MY_ADDRESS, Ipv4.toString(r.localIpv4()) + " is neither this server's address "
                    + Ipv4.toString(config.serverIpv4()) + " nor one of its --vip addresses");
            return;
        }
        Tuple t = Tuple.of(r);
        if (byId.containsKey(id)) {
            drop(id, DropReason.DUPLICATE, "handoff id " + id + " is live");
            return;
        }
        Handoff same = byTuple.get(t);
        if (same != null) {
            drop(id, DropReason.DUPLICATE, "connection " + t + " is live as handoff " + same.id());
            return;
        }
        if (byId.size() >= config.maxConnections()) {
            drop(id, DropReason.OVERLOADED, byId.size() + " connections held, --max-connections is " + config.maxConnections());
            return;
        }
        Channel upstream = preconnected != null ? preconnected.take() : null;
        Handoff h = new Handoff(r, -1, upstream != null ? upstream.eventLoop() : group.next());
        if (upstream != null && r.forwardBeforeCommit()) {
            // Safe to repeat: the request goes to the web server now, from the relay's loop,
            // while this thread rebuilds the socket (0.2-0.3 ms of system calls): the two
            // overlap, where the request used to wait for the rebuild and then for the relay's
            // thread to wake (request to the web server 0.58 ms after the handoff request, at
            // 50 requests a second). If the rebuild fails, the answer is discarded with the relay.
            h.relay = newRelay(h, upstream);
            h.relay.forwardRequest();
        }
        try {
            h.fd = restore(r);
        } catch (RepairException e) {
            abandonWebServerConnection(h, upstream);
            drop(id, DropReason.REPAIR_FAILED, e.getMessage());
            return;
        } catch (RuntimeException | LinkageError e) {
            abandonWebServerConnection(h, upstream);
            drop(id, DropReason.REPAIR_FAILED, e.toString());
            return;
        }
        int fd = h.fd;
        byId.put(id, h);
        byTuple.put(t, h);
        live.incrementAndGet();
        if (upstream != null) {
            LOG.debug("handoff {}: socket {} recreated (fd {}), web server connection ready", id, t, fd);
            upstreamReady(h, upstream);
            return;
        }
        LOG.debug("handoff {}: socket {} recreated (fd {}), connecting to the web server", id, t, fd);
        connectUpstream(h.loop).addListener((ChannelFuture f) -> ctl.execute(() -> upstreamConnected(h, f)));
    }

    /**
     * The client's socket, rebuilt non-blocking (for Netty). When an orphan of an earlier
     * connection holds its four-tuple, the orphan is destroyed and the socket rebuilt once more:
     * the client reused its port, so it has forgotten that connection (see {@link SocketDiag}).
     * A socket some process holds is left alone, and the handoff fails.
     */
    private int restore(HandoffRequest r) throws RepairException {
        RepairParams p = RepairParams.of(r).withDataRead();
        try {
            return TcpRepair.restore(p, true);
        } catch (RepairException e) {
            SocketDiag.Held holder = e.holder();
            if (holder == null || !holder.orphaned()) {
                throw e;
            }
            try {
                if (SocketDiag.destroy(holder, p.localIpv4(), p.localPort(), p.remoteIpv4(), p.remotePort())) {
                    orphansDestroyed.increment();
                    LOG.info("handoff {}: {} was held by an earlier connection's socket in {}: destroyed",
                            r.handoffId(), Tuple.of(r), holder.stateName());
                }
            } catch (RepairException d) {
                throw new RepairException(e.getMessage() + "; destroying it failed: " + d.getMessage(), e.errno());
            }
            // Destroyed, or gone by itself meanwhile: once more (a new holder would be named).
            return TcpRepair.restore(p, true);
        }
    }

    /**
     * A web server connection on {@code loop}, auto-read off, half-closure allowed, TCP_NODELAY on
     * (Netty's default for its epoll sockets). The socket is of the upstream address's family: a
     * dual-stack socket for an IPv4 address costs one more system call per connection.
     */
    ChannelFuture connectUpstream(EventLoop loop) {
        return new Bootstrap()
                .group(loop)
                .channelFactory(() -> new EpollSocketChannel(upstreamFamily))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(100, Math.min(2000, config.commitTimeoutMs())))
                .handler(new ChannelInboundHandlerAdapter())
                .connect(config.upstream());
    }

    private void upstreamConnected(Handoff h, ChannelFuture f) {
        if (h.state != State.PREPARING) {
            if (f.isSuccess()) {
                f.channel().close();
            }
            return;
        }
        if (!f.isSuccess()) {
            forget(h);
            drop(h.id(), DropReason.UPSTREAM_UNREACHABLE, "cannot connect to " + config.upstream() + ": " + f.cause());
            return;
        }
        upstreamReady(h, f.channel());
    }

    private Relay newRelay(Handoff h, Channel upstream) {
        HandoffRequest r = h.request;
        byte[] proxy = config.proxyProtocol()
                ? ProxyHeader.tcp4(r.clientIpv4(), r.clientPort(), r.localIpv4(), r.localPort()) : null;
        return new Relay(h.id(), h.loop, upstream, this::connectUpstream, proxy, r.data(), config.idleTimeoutSeconds(),
                result -> ctl.execute(() -> relayDone(h, result)));
    }

    /**
     * The rebuild failed: closes the web server connection taken for the handoff, through its relay
     * if the request went early (reporting nothing). Without this, a connection from the pool
     * stayed open for good: half-closure is allowed on it, so not even the web server's close
     * ended it.
     */
    private static void abandonWebServerConnection(Handoff h, Channel upstream) {
        if (h.relay != null) {
            h.relay.discard();
            h.relay = null;
        } else if (upstream != null) {
            upstream.close();
        }
    }

    private void upstreamReady(Handoff h, Channel upstream) {
        if (h.relay == null) {
            h.relay = newRelay(h, upstream);
            if (h.request.forwardBeforeCommit()) {
                h.relay.forwardRequest(); // the web server works while the switch confirms the reply's rule
            }
        }
        h.state = State.READY;
        toController.accept(new HandoffReady(h.id()));
        if (h.commitPending) {
            commit(h);
        } else {
            h.timeout = ctl.schedule(() -> commitTimedOut(h), config.commitTimeoutMs(), TimeUnit.MILLISECONDS);
        }
    }

    private void commitTimedOut(Handoff h) {
        if (h.state != State.READY) {
            return;
        }
        forget(h);
        drop(h.id(), DropReason.COMMIT_TIMEOUT, "no commit within " + config.commitTimeoutMs() + " ms");
    }

    private void handleCommit(long id) {
        Handoff h = byId.get(id);
        if (h == null) {
            // Usual after a drop: the controller commits without waiting for the ready.
            LOG.debug("handoff {}: commit for an unknown handoff (dropped, timed out, aborted or never requested)", id);
            return;
        }
        switch (h.state) {
            case PREPARING -> h.commitPending = true;
            case READY -> commit(h);
            default -> LOG.warn("handoff {}: repeated commit ignored", id);
        }
    }

    private void commit(Handoff h) {
        if (h.timeout != null) {
            h.timeout.cancel(false);
        }
        h.state = State.RELAYING;
        EpollSocketChannel client;
        try {
            client = new EpollSocketChannel(h.fd); // made non-blocking by restore()
        } catch (Exception e) {
            LOG.warn("handoff {}: cannot adopt the socket: {}", h.id(), e.toString());
            forget(h);
            toController.accept(new ConnectionClosed(h.id(), 0, 0, io.baton.handoff.protocol.CloseReason.RESET));
            return;
        }
        h.fd = -1; // owned by the channel from now on
        LOG.debug("handoff {}: committed, relaying {}", h.id(), h.tuple);
        h.relay.start(client);
    }

    private void relayDone(Handoff h, Relay.Result result) {
        remove(h);
        LOG.debug("handoff {}: closed {}", h.id(), result);
        if (!result.silent()) {
            toController.accept(new ConnectionClosed(h.id(), result.bytesFromClient(), result.bytesToClient(),
                    result.reason()));
        }
    }

    private void handleAbort(long id) {
        Handoff h = byId.get(id);
        if (h == null) {
            LOG.debug("handoff {}: abort for an unknown handoff", id);
            return;
        }
        LOG.info("handoff {}: aborted by the controller in state {}", id, h.state);
        if (h.state == State.RELAYING) {
            h.relay.abortSilently();
        } else {
            forget(h);
        }
    }

    /** Closes an unfinished handoff without a trace on the wire and removes it. */
    private void forget(Handoff h) {
        if (h.timeout != null) {
            h.timeout.cancel(false);
        }
        if (h.fd >= 0) {
            if (!TcpRepair.closeSilently(h.fd)) {
                LOG.warn("handoff {}: socket closed but repair mode could not be set first", h.id());
            }
            h.fd = -1;
        }
        if (h.relay != null) {
            h.relay.discard();
        }
        remove(h);
    }

    private void remove(Handoff h) {
        if (h.state == State.CLOSED) {
            return;
        }
        h.state = State.CLOSED;
        byId.remove(h.id(), h);
        byTuple.remove(h.tuple, h);
        live.decrementAndGet();
    }

    /** Ids held now (for tests and diagnostics); runs on ctl. */
    List<Long> liveIds() throws Exception {
        return ctl.submit(() -> List.copyOf(byId.keySet())).get();
    }
}
