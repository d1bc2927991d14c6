package io.baton.controller.embed;

import io.baton.controller.admin.ClusterAdmin;
import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigStore;
import io.baton.controller.engine.BatonEngine;
import io.baton.controller.flows.Cookies;
import io.baton.controller.flows.FlowRuleFactory;
import io.baton.controller.handoff.HandoffServer;
import io.baton.controller.rest.RestServer;
import io.baton.controller.southbound.Southbound;
import io.baton.flowrules.api.SwitchId;
import io.baton.handoff.protocol.SecretFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Baton's engine with its handoff channel and REST API, on whatever southbound the host gives:
 * what the standalone controller and the OpenDaylight app start. The REST API runs on Baton's own
 * server, or in the host's web container through a {@link RestPublisher}. The host
 * starts its southbound's switch connections after this returns (the engine is ready for them)
 * and closes them before {@link #close()}, or after {@link #closeAndRemoveRules(Duration)}.
 */
public final class BatonRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatonRuntime.class);

    private final BatonEngine engine;
    private final Southbound southbound;
    private final HandoffServer handoff;
    private final RestServer rest = new RestServer();
    private RestPublisher.Registration hostedRest;

    private BatonRuntime(BatonEngine engine, Southbound southbound) {
        this.engine = engine;
        this.southbound = southbound;
        this.handoff = new HandoffServer(engine.eventLoop());
    }

    /**
     * Starts everything or, if any part cannot start (a port taken), nothing: what started is
     * closed and the error thrown, since inside Karaf, ONOS or OpenDaylight the JVM lives on.
     */
    public static BatonRuntime start(ConfigStore store, byte[] secret, byte[] token, Southbound southbound) {
        return start(store, secret, token, southbound, Optional.empty());
    }

    /**
     * As {@link #start(ConfigStore, byte[], byte[], Southbound)}, but the REST API is served by the
     * host's web container through {@code web} rather than by Baton's own server ({@code rest.listen}
     * is unused then). Closing the runtime closes the registration first.
     */
    public static BatonRuntime start(ConfigStore store, byte[] secret, byte[] token, Southbound southbound,
                                     RestPublisher web) {
        return start(store, secret, token, southbound, Optional.of(web));
    }

    /**
     * As {@link #start(ConfigStore, byte[], byte[], Southbound)}, with the engine on {@code loop}, a
     * NIO event loop the caller owns, shuts down after {@link #close()}, and may run the
     * southbound's I/O on (the standalone controller does).
     */
    public static BatonRuntime start(ConfigStore store, byte[] secret, byte[] token, Southbound southbound,
                                     io.netty.channel.EventLoop loop) {
        return start(store, secret, token, southbound, Optional.empty(), loop);
    }

    private static BatonRuntime start(ConfigStore store, byte[] secret, byte[] token, Southbound southbound,
                                      Optional<RestPublisher> web) {
        return start(store, secret, token, southbound, web, null);
    }

    private static BatonRuntime start(ConfigStore store, byte[] secret, byte[] token, Southbound southbound,
                                      Optional<RestPublisher> web, io.netty.channel.EventLoop loop) {
        BatonConfig config = store.current();
        // The handoff secret also keys the SYN cookies: they must outlive a restart (BatonEngine).
        BatonRuntime runtime = new BatonRuntime(new BatonEngine(config, southbound, secret, loop), southbound);
        try {
            runtime.engine.start();
            // The engine prepares the switches it finds at start on its own thread; let that pass
            // first, so that a switch arriving now is not prepared twice.
            runtime.engine.ask(() -> null).join();
            runtime.handoff.start(config.handoffListen(), secret, runtime.engine, runtime.engine.counters());
            ClusterAdmin admin = new ClusterAdmin(store, runtime.engine);
            if (web.isPresent()) {
                runtime.hostedRest = web.get().publish(RestServer.application(admin, token, runtime.rest.counters()));
            } else {
                runtime.rest.start(config.restListen(), admin, token);
            }
        } catch (RuntimeException | Error e) {
            runtime.close();
            throw e;
        }
        return runtime;
    }

    /** The handoff secret file: private to its owner (mode 0600 or stricter), or refused. */
    public static byte[] readSecret(Path file) throws IOException {
        return SecretFile.read(file);
    }

    /**
     * The REST bearer token: the file's text without surrounding white space, checked like the
     * handoff secret.
     */
    public static byte[] readToken(Path file) throws IOException {
        return new String(SecretFile.read(file, "REST token file"), StandardCharsets.UTF_8).trim()
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The REST API's counters by name (refused calls and why, changes made). */
    public Map<String, Long> restCounters() {
        return rest.counters().snapshot();
    }

    /**
     * Stops Baton and leaves the switches' rules in place: handed-off connections keep flowing
     * through the switch while the controller is away, and the next run takes them back
     * ({@code ConnectionRecovery}). For every restart: a process stopped, a framework shut down,
     * a configuration changed.
     */
    @Override
    public void close() {
        if (hostedRest != null) {
            hostedRest.close();
        }
        rest.close();
        handoff.close();
        engine.close();
    }

    /**
     * Takes Baton away for good (a Karaf feature uninstalled, its configuration deleted): stops
     * like {@link #close()}, then deletes every Baton rule (cookie {@link Cookies#APP} under
     * {@link Cookies#APP_MASK}: base, L2 and per-connection rules) from every switch connected now,
     * and waits at most {@code timeout} in all for the switches' barrier replies. The deletion
     * comes after the engine has stopped, so no rule the engine installs can follow it. The host
     * closes its switch connections after this returns; a switch not connected now keeps its rules.
     *
     * @return the switches that confirmed the deletion and those that did not, with why
     */
    public RuleRemoval closeAndRemoveRules(Duration timeout) {
        close();
        Map<SwitchId, CompletableFuture<Void>> removals = new LinkedHashMap<>();
        for (SwitchId sw : southbound.switches()) {
            CompletableFuture<Void> f;
            try {
                f = southbound.removeRulesByCookie(sw, Cookies.APP, Cookies.APP_MASK)
                        .thenCompose(ok -> southbound.removeMeters(sw, FlowRuleFactory.METER_IDS));
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            removals.put(sw, f);
        }
        try {
            CompletableFuture.allOf(removals.values().toArray(new CompletableFuture<?>[0]))
                    .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // told per switch below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Set<SwitchId> cleaned = new LinkedHashSet<>();
        Map<SwitchId, String> failed = new LinkedHashMap<>();
        removals.forEach((sw, f) -> {
            if (!f.isDone()) {
                failed.put(sw, "no barrier reply within " + timeout.toMillis() + " ms");
            } else if (f.isCompletedExceptionally()) {
                failed.put(sw, failure(f));
            } else {
                cleaned.add(sw);
            }
        });
        RuleRemoval result = new RuleRemoval(cleaned, failed);
        log.info("Baton's rules removed from {} of {} switch(es)", cleaned.size(), removals.size());
        failed.forEach((sw, why) -> log.warn("switch {}: Baton's rules not removed: {}", sw, why));
        return result;
    }

    /** Why a future that completed exceptionally failed, for the log. */
    private static String failure(CompletableFuture<?> f) {
        try {
            f.join();
            return "no failure";
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return cause.getMessage() != null ? cause.getMessage() : cause.toString();
        }
    }

    /** What {@link #closeAndRemoveRules(Duration)} achieved, switch by switch. */
    public static final class RuleRemoval {
        private final Set<SwitchId> cleaned;
        private final Map<SwitchId, String> failed;

        RuleRemoval(Set<SwitchId> cleaned, Map<SwitchId, String> failed) {
            this.cleaned = Collections.unmodifiableSet(new LinkedHashSet<>(cleaned));
            this.failed = Collections.unmodifiableMap(new LinkedHashMap<>(failed));
        }

        /** Switches that confirmed the deletion (barrier reply). */
        public Set<SwitchId> cleaned() {
            return cleaned;
        }

        /** Switches that refused the deletion, left, or did not answer in time, with why. */
        public Map<SwitchId, String> failed() {
            return failed;
        }

        @Override
        public String toString() {
            return "cleaned " + cleaned + ", failed " + failed;
        }
    }
}
