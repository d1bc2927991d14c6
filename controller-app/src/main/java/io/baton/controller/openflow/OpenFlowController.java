package io.baton.controller.openflow;

import io.baton.controller.southbound.Southbound;
import io.baton.controller.southbound.SouthboundException;
import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.Meter;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import io.baton.flowrules.openflow.OpenFlow13Translator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded OpenFlow 1.3 controller: a Netty TCP server that switches connect to, and the
 * {@link Southbound} the engine drives. See the package documentation for what it does not do.
 *
 * <pre>
 *   OpenFlowController of = new OpenFlowController(OpenFlowControllerConfig.builder().port(6653).build());
 *   of.addListener(engine);
 *   InetSocketAddress bound = of.start();
 *   ...
 *   of.stop();
 * </pre>
 *
 * <p>Threads: Netty daemon threads named {@code baton-openflow-accept-*} and
 * {@code baton-openflow-io-*}; listeners are called and futures completed on the I/O thread of
 * the switch concerned, so they must not block. {@link #stop()} must not be called from those
 * threads.
 */
public final class OpenFlowController implements Southbound {
    private static final Logger LOG = LoggerFactory.getLogger(OpenFlowController.class);

    private enum State { NEW, RUNNING, STOPPED }

    private final OpenFlowControllerConfig config;
    private final Counters counters = new Counters();
    private final List<SouthboundListener> listeners = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<SwitchId, SwitchConnection> switches = new ConcurrentHashMap<>();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();

    private volatile State state = State.NEW;
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    /** Whether {@link #ioGroup} is this controller's to shut down (not when the engine's loop is given). */
    private boolean ownsIoGroup;
    private Channel serverChannel;

    public OpenFlowController(OpenFlowControllerConfig config) {
        this.config = Objects.requireNonNull(config);
    }

    public OpenFlowControllerConfig config() {
        return config;
    }

    /**
     * Binds and starts accepting switches. A controller starts once.
     *
     * @return the address actually bound (its port is the real one when the config said 0)
     * @throws SouthboundException if the address cannot be bound
     * @throws IllegalStateException if already started or stopped
     */
    public synchronized InetSocketAddress start() {
        return start(null);
    }

    /**
     * As {@link #start()}, with every switch connection on {@code ioLoop} (NIO), which the caller
     * owns and shuts down after {@link #stop()}: the engine's own loop, so that a packet-in reaches
     * the engine, and its answer the switch, without crossing a thread. Null: threads of its own
     * ({@code ioThreads}).
     */
    public synchronized InetSocketAddress start(EventLoopGroup ioLoop) {
        if (state != State.NEW) {
            throw new IllegalStateException("controller already " + state.name().toLowerCase());
        }
        acceptGroup = new NioEventLoopGroup(1, new DefaultThreadFactory("baton-openflow-accept", true));
        ownsIoGroup = ioLoop == null;
        ioGroup = ownsIoGroup
                ? new NioEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("baton-openflow-io", true))
                : ioLoop;
        int high = config.maxOutboundBytesPerSwitch();
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(high / 2, high))
                .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, OpenFlowMessageSizeEstimator.INSTANCE)
                .childHandler(new OpenFlowChannelInitializer(this));
        InetSocketAddress want = new InetSocketAddress(config.bindAddress(), config.port());
        ChannelFuture bind = b.bind(want).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            shutdownGroups();
            state = State.STOPPED;
            throw new SouthboundException("cannot listen for OpenFlow switches on " + want + ": " + bind.cause(),
                    bind.cause());
        }
        serverChannel = bind.channel();
        state = State.RUNNING;
        LOG.info("OpenFlow 1.3 controller listening on {}", serverChannel.localAddress());
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The address listened on, or null when not running. */
    public InetSocketAddress localAddress() {
        Channel ch = serverChannel;
        return state == State.RUNNING && ch != null ? (InetSocketAddress) ch.localAddress() : null;
    }

    /**
     * Stops listening, closes every switch connection (listeners see switchDown, pending futures
     * fail) and ends the controller's threads. Idempotent.
     */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            state = State.STOPPED;
            return;
        }
        state = State.STOPPED;
        serverChannel.close().awaitUninterruptibly();
        for (Channel ch : channels) {
            ch.close();
        }
        for (Channel ch : channels) {
            if (!ch.closeFuture().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
                LOG.warn("switch connection {} did not close in time", ChannelNames.describe(ch));
            }
        }
        shutdownGroups();
        LOG.info("OpenFlow controller stopped ({})", counters());
    }

    private void shutdownGroups() {
        if (ownsIoGroup) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (ownsIoGroup) {
            ioGroup.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        acceptGroup.terminationFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** A snapshot of the counters. */
    public OpenFlowCounters counters() {
        return counters.snapshot(switches.size());
    }

    // -------------------------------------------------------------------------- Southbound

    @Override
    public void addListener(SouthboundListener listener) {
        Objects.requireNonNull(listener);
        ((CopyOnWriteArrayList<SouthboundListener>) listeners).addIfAbsent(listener);
    }

    @Override
    public void removeListener(SouthboundListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Set<SwitchId> switches() {
        return Set.copyOf(switches.keySet());
    }

    @Override
    public void sendPacket(SwitchId sw, PacketOut packet) {
        Objects.requireNonNull(packet);
        SwitchConnection c = switches.get(Objects.requireNonNull(sw));
        if (c == null) {
            counters.packetOutsDropped.increment();
            LOG.debug("packet-out to {} dropped: not connected", sw);
            return;
        }
        c.sendPacket(packet);
    }

    @Override
    public CompletableFuture<Void> installRules(SwitchId sw, List<FlowRule> rules) {
        List<FlowRule> copy = List.copyOf(rules);
        SwitchConnection c = connection(sw);
        return c == null ? notConnected(sw, "install rules")
                : c.flowModsWithBarrier("install of " + copy.size() + " rule(s)", copy, OpenFlow13Translator::toFlowAdd);
    }

    @Override
    public CompletableFuture<Void> removeRules(SwitchId sw, List<FlowRule> rules) {
        List<FlowRule> copy = List.copyOf(rules);
        SwitchConnection c = connection(sw);
        return c == null ? notConnected(sw, "remove rules")
                : c.flowModsWithBarrier("removal of " + copy.size() + " rule(s)", copy,
                        OpenFlow13Translator::toFlowDeleteStrict);
    }

    @Override
    public CompletableFuture<Void> removeRulesByCookie(SwitchId sw, long cookie, long cookieMask) {
        return removeRulesByCookies(sw, List.of(cookie), cookieMask);
    }

    /** One delete per cookie and one barrier for them all. */
    @Override
    public CompletableFuture<Void> removeRulesByCookies(SwitchId sw, List<Long> cookies, long cookieMask) {
        SwitchConnection c = connection(sw);
        if (c == null) {
            return notConnected(sw, "remove rules by cookie");
        }
        List<CookieDeletion> deletions = new ArrayList<>(cookies.size());
        for (long cookie : cookies) {
            deletions.add(new CookieDeletion(cookie, cookieMask));
        }
        return c.flowModsWithBarrier("removal by cookie", deletions,
                (item, xid) -> OpenFlow13Translator.toFlowDeleteByCookie(item.cookie, item.mask, xid));
    }

    /**
     * Adds the meters; if the switch already has one of them (a controller restart), changes
     * them all instead, which keeps the rules that name them.
     */
    @Override
    public CompletableFuture<Void> installMeters(SwitchId sw, List<Meter> meters) {
        List<Meter> copy = List.copyOf(meters);
        SwitchConnection c = connection(sw);
        if (c == null) {
            return notConnected(sw, "install meters");
        }
        return c.flowModsWithBarrier("install of " + copy.size() + " meter(s)", copy, OpenFlow13Translator::toMeterAdd)
                .handle((ok, e) -> {
                    if (e == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                    if (cause instanceof OpenFlowErrorException
                            && "METER_EXISTS".equals(((OpenFlowErrorException) cause).errorCode())) {
                        return c.flowModsWithBarrier("change of " + copy.size() + " meter(s)", copy,
                                OpenFlow13Translator::toMeterModify);
                    }
                    return CompletableFuture.<Void>failedFuture(cause);
                })
                .thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<Void> removeMeters(SwitchId sw, List<Long> meterIds) {
        List<Long> copy = List.copyOf(meterIds);
        SwitchConnection c = connection(sw);
        return c == null ? notConnected(sw, "remove meters")
                : c.flowModsWithBarrier("removal of " + copy.size() + " meter(s)", copy,
                        OpenFlow13Translator::toMeterDelete);
    }

    @Override
    public CompletableFuture<List<FlowStatsEntry>> flowStats(SwitchId sw, long cookie, long cookieMask) {
        SwitchConnection c = connection(sw);
        return c == null ? notConnected(sw, "flow stats") : c.flowStats(cookie, cookieMask);
    }

    /**
     * The one item of a removal by cookie, described only if the switch refuses it: formatting
     * the description on every call cost the engine thread about 5% (controller-bench profile).
     */
    private static final class CookieDeletion {
        private final long cookie;
        private final long mask;

        CookieDeletion(long cookie, long mask) {
            this.cookie = cookie;
            this.mask = mask;
        }

        @Override
        public String toString() {
            return String.format("delete cookie=0x%x/0x%x", cookie, mask);
        }
    }

    /** The event loop a connected switch's channel runs on; tests use it to hold a batch open. */
    io.netty.channel.EventLoop eventLoopOf(SwitchId sw) {
        return switches.get(sw).channel().eventLoop();
    }

    private SwitchConnection connection(SwitchId sw) {
        return switches.get(Objects.requireNonNull(sw));
    }

    private static <T> CompletableFuture<T> notConnected(SwitchId sw, String what) {
        return CompletableFuture.failedFuture(new SouthboundException("switch " + sw + " is not connected (" + what + ")"));
    }

    // ------------------------------------------------------------- for the pipeline handlers

    Counters liveCounters() {
        return counters;
    }

    /** A new TCP connection: false (and the caller closes it) when stopped or at max switches. */
    boolean admit(Channel ch) {
        if (state != State.RUNNING) {
            return false;
        }
        if (connections.incrementAndGet() > config.maxSwitches()) {
            connections.decrementAndGet();
            LOG.warn("refusing switch connection from {}: already {} connections (max switches)",
                    ch.remoteAddress(), config.maxSwitches());
            return false;
        }
        channels.add(ch);
        ch.closeFuture().addListener(f -> {
            channels.remove(ch);
            connections.decrementAndGet();
        });
        return true;
    }

    /** Handshake done: registers the switch and announces it; false if the controller is stopping. */
    boolean switchReady(SwitchConnection conn) {
        if (state != State.RUNNING) {
            return false;
        }
        SwitchConnection old = switches.put(conn.id(), conn);
        if (old != null) {
            LOG.warn("switch {} connected again from {}; closing its old connection from {}", conn.id(),
                    conn.channel().remoteAddress(), old.channel().remoteAddress());
            fire(l -> l.switchDown(old.id()), "switchDown");
            old.channel().close();
        }
        LOG.info("switch {} up from {} ({} tables, {} buffers)", conn.id(), conn.channel().remoteAddress(),
                conn.features().getNTables(), conn.features().getNBuffers());
        fire(l -> l.switchUp(conn.id()), "switchUp");
        return true;
    }

    /** The connection of an up switch closed. */
    void switchGone(SwitchConnection conn) {
        if (switches.remove(conn.id(), conn)) {
            LOG.info("switch {} down", conn.id());
            fire(l -> l.switchDown(conn.id()), "switchDown");
        }
    }

    void firePacketIn(SwitchId sw, int inPort, byte[] frame) {
        if (listeners.size() == 1) {
            // the usual case: hand over the frame itself
            fire(l -> l.packetIn(sw, inPort, frame), "packetIn");
        } else {
            fire(l -> l.packetIn(sw, inPort, frame.clone()), "packetIn");
        }
    }

    void fireFlowRemoved(SwitchId sw, FlowRemoved removed) {
        fire(l -> l.flowRemoved(sw, removed), "flowRemoved");
    }

    private interface ListenerCall {
        void call(SouthboundListener l);
    }

    private void fire(ListenerCall call, String what) {
        for (SouthboundListener l : listeners) {
            try {
                call.call(l);
            } catch (RuntimeException e) {
                LOG.warn("listener {} failed in {}", l, what, e);
            }
        }
    }
}
