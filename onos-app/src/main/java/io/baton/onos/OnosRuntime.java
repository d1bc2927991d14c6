package io.baton.onos;

import io.baton.controller.admin.ClusterAdmin;
import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigStore;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.engine.BatonEngine;
import io.baton.controller.flows.Cookies;
import io.baton.controller.handoff.HandoffServer;
import io.baton.controller.rest.RestCounters;
import io.baton.controller.rest.RestServer;
import io.baton.flowrules.api.FlowMatch;
import io.baton.flowrules.api.SwitchId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The running parts of Baton inside ONOS, as {@code Main.Controller} is for the standalone
 * controller but with ONOS in place of the embedded OpenFlow server and of the JDK HTTP server:
 * the engine on {@link OnosSouthbound}, the handoff channel for the agents, and the REST API in
 * ONOS's web container. Stopped in reverse order, and every Baton rule removed from every switch.
 */
public final class OnosRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OnosRuntime.class);
    /** ONOS confirms a batch after the switch's barrier reply; a switch slower than this is failing. */
    static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(5);
    private static final long CLEANUP_SECONDS = 5;

    private final OnosSouthbound southbound;
    private final BatonEngine engine;
    private final HandoffServer handoff = new HandoffServer();
    private final RestCounters restCounters = new RestCounters();
    private RestPublisher.Registration rest;

    private OnosRuntime(OnosSouthbound southbound, BatonEngine engine) {
        this.southbound = southbound;
        this.engine = engine;
    }

    /** Starts everything, or nothing: a part that fails to start stops those already started. */
    public static OnosRuntime start(ConfigStore store, byte[] secret, byte[] token, OnosServices onos,
                                     RestPublisher web) {
        BatonConfig config = store.current();
        OnosSouthbound southbound = new OnosSouthbound(onos, intercepts(config.services()), Cookies.APP,
                Cookies.APP_MASK, CONFIRM_TIMEOUT);
        // The handoff secret keys the SYN cookies too, so a restarted app takes handshakes over.
        OnosRuntime runtime = new OnosRuntime(southbound, new BatonEngine(config, southbound, secret));
        try {
            southbound.start();
            runtime.engine.start();
            runtime.handoff.start(config.handoffListen(), secret, runtime.engine, runtime.engine.counters());
            runtime.rest = web.publish(
                    RestServer.application(new ClusterAdmin(store, runtime.engine), token, runtime.restCounters));
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
        log.info("Baton up on ONOS: handoff {}, REST {}, {} services, {} switches", config.handoffListen(),
                HttpServiceRestPublisher.ALIAS, config.services().size(), southbound.switches().size());
        return runtime;
    }

    /**
     * What the engine must see: ARP (to learn where servers and clients are) and TCP to each
     * service. The engine installs its own intercept rules too; these requests are ONOS's way of
     * saying so, kept on every switch by ONOS, and they show in {@code onos> packet-requests}.
     * VIPs added later through the REST API get the engine's rules only.
     */
    static List<FlowMatch> intercepts(List<ServiceConfig> services) {
        List<FlowMatch> out = new ArrayList<>();
        out.add(FlowMatch.builder().ethType(FlowMatch.ETH_TYPE_ARP).build());
        for (ServiceConfig s : services) {
            out.add(FlowMatch.builder().tcp().ipv4Dst(s.vip()).tcpDst(s.port()).build());
        }
        return out;
    }

    public BatonEngine engine() {
        return engine;
    }

    public OnosSouthbound southbound() {
        return southbound;
    }

    public RestCounters restCounters() {
        return restCounters;
    }

    @Override
    public void close() {
        if (rest != null) {
            rest.close();
        }
        handoff.close();
        engine.close();
        removeBatonRules();
        southbound.close();
    }

    /** Every rule with Baton's cookie, from every switch: stopping the app leaves no rule behind. */
    private void removeBatonRules() {
        List<CompletableFuture<Void>> removals = new ArrayList<>();
        for (SwitchId sw : southbound.switches()) {
            removals.add(southbound.removeRulesByCookie(sw, Cookies.APP, Cookies.APP_MASK));
        }
        try {
            CompletableFuture.allOf(removals.toArray(new CompletableFuture<?>[0])).get(CLEANUP_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Baton's rules may be left on some switches: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
