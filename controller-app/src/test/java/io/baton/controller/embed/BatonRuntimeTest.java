package io.baton.controller.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigLoaderTest;
import io.baton.controller.config.ConfigStore;
import io.baton.controller.engine.RecordingSouthbound;
import io.baton.controller.flows.Cookies;
import io.baton.controller.southbound.Southbound;
import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowRule;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.ws.rs.core.Application;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two ways the runtime stops, on the engine tests' recording southbound.
 *
 * <p>Test plan: a runtime on two switches installs its base rules on both; {@link BatonRuntime#close()}
 * (a restart) deletes nothing; {@link BatonRuntime#closeAndRemoveRules(Duration)} (taking Baton
 * away) deletes by Baton's cookie and app mask on each switch, after the engine has stopped
 * listening, and reports both switches cleaned; a switch that never confirms is reported failed
 * once the timeout has passed, and the call does not wait longer. With a {@link RestPublisher}, the
 * host gets the REST application (the own server's resources and token filter) and Baton's own REST
 * server stays closed; closing the runtime closes the registration; a host that refuses the
 * application leaves nothing running.
 */
class BatonRuntimeTest {
    private static final SwitchId SW1 = SwitchId.of(1);
    private static final SwitchId SW2 = SwitchId.of(2);

    private BatonRuntime runtime;

    @AfterEach
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TOKEN = "token".getBytes(StandardCharsets.US_ASCII);

    private static ConfigStore store(int handoffPort, int restPort) throws Exception {
        String json = ConfigLoaderTest.GOOD
                .replace("\"port\": 7070", "\"port\": " + handoffPort)
                .replace("\"port\": 8181", "\"port\": " + restPort);
        return ConfigStore.inMemory(ConfigLoader.parse(json, Path.of("/cfg")));
    }

    private static BatonRuntime start(Southbound southbound) throws Exception {
        return BatonRuntime.start(store(freePort(), freePort()), SECRET, TOKEN, southbound);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aHostsWebContainerServesTheRestApiInsteadOfBatonsOwnServer() throws Exception {
        int handoffPort = freePort();
        int restPort = freePort();
        List<Application> published = new ArrayList<>();
        List<String> closed = new ArrayList<>();
        RestPublisher web = application -> {
            published.add(application);
            return () -> closed.add("registration");
        };
        runtime = BatonRuntime.start(store(handoffPort, restPort), SECRET, TOKEN, new RecordingSouthbound(SW1), web);

        assertEquals(1, published.size(), "one application handed to the host");
        Set<String> parts = new HashSet<>();
        // As a Jersey ResourceConfig, so that a Jersey-based container takes it as it is.
        ((ResourceConfig) published.get(0)).getInstances().forEach(o -> parts.add(o.getClass().getSimpleName()));
        assertTrue(parts.containsAll(Set.of("BearerTokenFilter", "ServicesResource", "StatusResource", "MetricsResource",
                "JsonBody")), "the own server's resources, filter and body handling: " + parts);
        assertTrue(listening(handoffPort), "the handoff channel runs");
        assertFalse(listening(restPort), "Baton's own REST server is not started");

        runtime.close();
        runtime = null;
        assertEquals(List.of("registration"), closed, "closing the runtime closes the registration");
        assertFalse(listening(handoffPort));
    }

    @Test
    void aWebContainerThatRefusesTheApiLeavesNothingRunning() throws Exception {
        int handoffPort = freePort();
        RecordingSouthbound sb = new RecordingSouthbound(SW1);
        RestPublisher refusing = application -> {
            throw new IllegalStateException("context path taken");
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BatonRuntime.start(store(handoffPort, freePort()), SECRET, TOKEN, sb, refusing));
        assertEquals("context path taken", e.getMessage());
        assertFalse(listening(handoffPort), "the handoff channel was closed again");
        assertTrue(sb.listeners.isEmpty(), "the engine stopped");
    }

    /** The engine installs table-miss and one VIP intercept per switch, on its own thread. */
    private static void awaitBaseRules(RecordingSouthbound sb, int switches) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sb.installed.size() < 2 * switches) {
            if (System.nanoTime() > end) {
                throw new AssertionError("base rules not installed: " + sb.installed);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void closeKeepsTheRules() throws Exception {
        RecordingSouthbound sb = new RecordingSouthbound(SW1, SW2);
        runtime = start(sb);
        awaitBaseRules(sb, 2);

        runtime.close();
        runtime = null;

        assertEquals(List.of(), sb.removedByCookie, "a restart deletes no rule");
        assertTrue(sb.listeners.isEmpty(), "the engine stopped listening");
    }

    @Test
    void closeAndRemoveRulesDeletesEveryBatonRuleOnEverySwitch() throws Exception {
        RecordingSouthbound recording = new RecordingSouthbound(SW1, SW2);
        ObservingSouthbound sb = new ObservingSouthbound(recording, null);
        runtime = start(sb);
        awaitBaseRules(recording, 2);
        assertTrue(recording.installed.stream().allMatch(r -> (r.cookie() & Cookies.APP_MASK) == Cookies.APP),
                "every rule installed carries Baton's cookie: " + recording.installed);

        BatonRuntime.RuleRemoval removal = runtime.closeAndRemoveRules(Duration.ofSeconds(5));
        runtime = null;

        assertEquals(Set.of(SW1, SW2), removal.cleaned(), removal.toString());
        assertTrue(removal.failed().isEmpty(), removal.toString());
        assertEquals(List.of(SW1, SW2), sorted(sb.deletionsAsked), "one deletion per switch");
        for (long[] d : recording.removedByCookie) {
            assertEquals(Cookies.APP, d[0], "cookie");
            assertEquals(Cookies.APP_MASK, d[1], "mask: every kind and connection of Baton's, nothing else");
        }
        assertEquals(List.of(0, 0), sb.listenersAtDeletion,
                "the engine had stopped listening, so nothing it installs can follow the deletion");
    }

    @Test
    void aSwitchThatNeverConfirmsIsReportedAfterTheTimeout() throws Exception {
        RecordingSouthbound recording = new RecordingSouthbound(SW1, SW2);
        ObservingSouthbound sb = new ObservingSouthbound(recording, SW2);
        runtime = start(sb);
        awaitBaseRules(recording, 2);

        long t0 = System.nanoTime();
        BatonRuntime.RuleRemoval removal = runtime.closeAndRemoveRules(Duration.ofMillis(300));
        long tookMillis = (System.nanoTime() - t0) / 1_000_000L;
        runtime = null;

        assertEquals(Set.of(SW1), removal.cleaned(), removal.toString());
        assertEquals(Set.of(SW2), removal.failed().keySet(), removal.toString());
        assertTrue(removal.failed().get(SW2).contains("300 ms"), removal.toString());
        assertEquals(List.of(SW1, SW2), sorted(sb.deletionsAsked), "a deletion was sent to both");
        assertTrue(tookMillis >= 250 && tookMillis < 3_000, "waited about the timeout: " + tookMillis + " ms");
    }

    private static List<SwitchId> sorted(List<SwitchId> ids) {
        List<SwitchId> copy = new ArrayList<>(ids);
        copy.sort((a, b) -> Long.compare(a.toLong(), b.toLong()));
        return copy;
    }

    /**
     * The recording southbound, noting for each deletion by cookie which switch it was for and how
     * many listeners the southbound had then; one switch ({@code silent}, if not null) never
     * answers a deletion.
     */
    private static final class ObservingSouthbound implements Southbound {
        final List<SwitchId> deletionsAsked = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> listenersAtDeletion = Collections.synchronizedList(new ArrayList<>());
        private final RecordingSouthbound delegate;
        private final SwitchId silent;

        ObservingSouthbound(RecordingSouthbound delegate, SwitchId silent) {
            this.delegate = delegate;
            this.silent = silent;
        }

        @Override
        public void addListener(SouthboundListener listener) {
            delegate.addListener(listener);
        }

        @Override
        public void removeListener(SouthboundListener listener) {
            delegate.removeListener(listener);
        }

        @Override
        public Set<SwitchId> switches() {
            return delegate.switches();
        }

        @Override
        public void sendPacket(SwitchId sw, PacketOut packet) {
            delegate.sendPacket(sw, packet);
        }

        @Override
        public CompletableFuture<Void> installRules(SwitchId sw, List<FlowRule> rules) {
            return delegate.installRules(sw, rules);
        }

        @Override
        public CompletableFuture<Void> removeRules(SwitchId sw, List<FlowRule> rules) {
            return delegate.removeRules(sw, rules);
        }

        @Override
        public CompletableFuture<Void> removeRulesByCookie(SwitchId sw, long cookie, long cookieMask) {
            deletionsAsked.add(sw);
            listenersAtDeletion.add(delegate.listeners.size());
            return sw.equals(silent) ? new CompletableFuture<>() : delegate.removeRulesByCookie(sw, cookie, cookieMask);
        }

        @Override
        public CompletableFuture<List<FlowStatsEntry>> flowStats(SwitchId sw, long cookie, long cookieMask) {
            return delegate.flowStats(sw, cookie, cookieMask);
        }
    }
}
