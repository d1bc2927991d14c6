package io.baton.agent;

import io.baton.handoff.protocol.ProtocolCounters;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running handoff agent: controller connection, handoff state machine, relays. Start with
 * {@link #start()}, stop with {@link #close()}.
 */
public final class Agent implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final AgentConfig config;
    private final EpollEventLoopGroup group;
    /**
     * The handoff thread: the controller connection's event loop, where the handoff state machine
     * and its TCP repair calls run too, so that a request, a commit or a ready crosses no thread
     * between the controller's socket and the state machine. Relays run on {@link #group}.
     */
    private final EpollEventLoopGroup ctlGroup;
    private final ScheduledExecutorService ctl;
    private final ProtocolCounters counters = new ProtocolCounters();
    private final HandoffManager handoffs;
    private final io.baton.agent.health.HealthChecker health;
    private final ControllerClient controller;
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean started;

    /**
     * @param secret the shared secret (see {@link io.baton.handoff.protocol.SecretFile})
     * @throws IllegalStateException if native epoll is not available on this host
     */
    public Agent(AgentConfig config, byte[] secret) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("native epoll is unavailable: " + Epoll.unavailabilityCause());
        }
        this.config = config;
        this.group = new EpollEventLoopGroup(config.threads());
        this.ctlGroup = new EpollEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "baton-handoff");
            t.setDaemon(true);
            return t;
        });
        this.ctl = ctlGroup.next();
        this.controller = new ControllerClient(config, secret, ctlGroup, counters, this::liveConnections);
        this.handoffs = new HandoffManager(config, group, ctl, controller::send);
        this.health = new io.baton.agent.health.HealthChecker(group, config.upstream(), config.proxyProtocol(),
                controller::sendIfConnected);
    }

    /** Connects to the controller (and keeps reconnecting). Returns at once. */
    public synchronized Agent start() {
        if (!started) {
            started = true;
            LOG.info("baton-agent: controller {}:{}, web server {}, label {}", config.controllerHost(),
                    config.controllerPort(), config.upstream(), config.label());
            controller.start(new ControllerClient.Dispatcher() {
                @Override
                public void onRequest(io.baton.handoff.protocol.HandoffRequest r) {
                    handoffs.onRequest(r);
                }

                @Override
                public void onCommit(long id) {
                    handoffs.onCommit(id);
                }

                @Override
                public void onAbort(long id) {
                    handoffs.onAbort(id);
                }

                @Override
                public void onAuthenticated() {
                    handoffs.reportLive();
                }

                @Override
                public void onSessionLost() {
                    handoffs.sessionLost();
                }

                @Override
                public void onHealthChecks(io.baton.handoff.protocol.HealthChecks checks) {
                    health.configure(checks);
                }
            });
        }
        return this;
    }

    public AgentConfig config() {
        return config;
    }

    /** Sockets of earlier connections destroyed because a client reused their four-tuple. */
    public long orphansDestroyed() {
        return handoffs.orphansDestroyed();
    }

    /** Handed-off connections held now (preparing, ready or relaying). */
    public int liveConnections() {
        return handoffs.liveConnections();
    }

    /** Whether a session with the controller is authenticated now. */
    public boolean isAuthenticated() {
        return controller.isAuthenticated();
    }

    /** Successful authentications so far (1 + number of reconnects that succeeded). */
    public long authentications() {
        return controller.authentications();
    }

    /** Sessions that failed authentication (bad Welcome, or closed by the controller during it). */
    public long authFailures() {
        return controller.authFailures();
    }

    /** Codec counters of the controller connection(s). */
    public ProtocolCounters protocolCounters() {
        return counters;
    }

    /** Stops: closes the controller connection, unfinished handoffs silently, and relays. */
    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        health.close();
        controller.close();
        handoffs.shutdown();
        // Runs the tasks queued so far (the shutdown above) before it stops.
        ctlGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        closed.countDown();
    }

    /** Waits until {@link #close()} has run. */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }
}
