package io.baton.opendaylight;

import static io.baton.opendaylight.LocalPorts.freePort;
import static io.baton.opendaylight.LocalPorts.listening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleWiring;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Baton's component inside an OSGi framework, started by SCR from its configuration, with its REST
 * API in the WebServer service: the bundles of {@link OdlBundleResolutionIT} (OpenDaylight's APIs,
 * aaa's servlet support on OpenDaylight's Jersey 2.47, Baton's bundles), Felix Configuration Admin,
 * and, as the {@code org.opendaylight.aaa.web.WebServer} service, aaa's own Jetty implementation
 * (Jetty 9.4) on an ephemeral loopback port. Inside OpenDaylight that service is Pax Web's whiteboard
 * one (web-osgi-impl on Pax Web), which is not run here. openflowplugin's MD-SAL services are
 * registered as empty stand-ins (no switch: the RPCs are never called, notifications never come,
 * the inventory is empty), built as proxies of OpenDaylight's interfaces in the framework.
 *
 * <p>Test plan: configuration {@code io.baton.opendaylight} is created; SCR activates the component
 * with the five services; over HTTP, {@code /baton/api/v1/stats} refuses a call without the token
 * (401), answers with it, a POST adds a member that the next GET lists; the configuration is changed
 * to {@code restServer = baton}: the component restarts, {@code /baton} is gone and Baton's own
 * server answers on {@code rest.port}; the configuration is deleted: the own server closes.
 */
class OdlRestInOsgiIT {
    private static final String TOKEN = "osgi-token";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FelixBundles felix;
    private Object jetty;

    @AfterEach
    void stop() throws Exception {
        if (jetty != null) {
            jetty.getClass().getMethod("stop").invoke(jetty);
        }
        if (felix != null) {
            felix.close();
        }
    }

    @Test
    void scrStartsBatonWithItsApiInTheWebServer() throws Exception {
        Path adapterJar = Path.of(System.getProperty("baton.it.bundle"));
        felix = FelixBundles.install(Path.of(System.getProperty("baton.it.work")).resolve("rest"),
                List.of(Path.of(System.getProperty("baton.it.bundles")), Path.of(System.getProperty("baton.it.webBundles"))),
                adapterJar);
        assertEquals(List.of(), felix.resolve(), "bundles that did not resolve");
        assertEquals(List.of(), felix.startAll(), "bundles that did not start");

        // The WebServer service: aaa's Jetty implementation, created in its own bundle's class space.
        Bundle jettyImpl = felix.bundle("org.opendaylight.aaa.web.jetty-impl");
        Class<?> jettyClass = jettyImpl.loadClass("org.opendaylight.aaa.web.jetty.JettyWebServer");
        jetty = jettyClass.getConstructor(int.class).newInstance(0);
        jettyClass.getMethod("start").invoke(jetty);
        String base = jettyClass.getMethod("getBaseURL").invoke(jetty) + "/baton";
        jettyImpl.getBundleContext().registerService("org.opendaylight.aaa.web.WebServer", jetty, null);
        registerEmptyMdsalServices();

        int restPort = freePort();
        Path config = files(restPort);
        Object configAdmin = felix.context().getService(
                felix.awaitService("org.osgi.service.cm.ConfigurationAdmin", Duration.ofSeconds(10)));
        Class<?> adminType = felix.bundle("org.apache.felix.configadmin").loadClass("org.osgi.service.cm.ConfigurationAdmin");
        Class<?> configType = felix.bundle("org.apache.felix.configadmin").loadClass("org.osgi.service.cm.Configuration");
        Object configuration = adminType.getMethod("getConfiguration", String.class, String.class)
                .invoke(configAdmin, BatonOdlApp.PID, "?");
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("configFile", config.toString());
        props.put("secretFile", dir.resolve("secret").toString());
        props.put("tokenFile", dir.resolve("token").toString());
        configType.getMethod("update", Dictionary.class).invoke(configuration, props);

        assertEquals(200, await(base, "/api/v1/stats", TOKEN, s -> s == 200), "SCR started Baton and its API is served");
        HttpResponse<String> noToken = call(base, "GET", "/api/v1/stats", null, null);
        assertEquals(401, noToken.statusCode(), noToken.body());
        assertTrue(noToken.body().contains("\"field\": \"Authorization\""), noToken.body());
        HttpResponse<String> add = call(base, "POST", "/api/v1/services/web/pools/static/members",
                "{\"address\": \"10.0.0.14\"}", TOKEN);
        assertEquals(201, add.statusCode(), add.body());
        HttpResponse<String> members = call(base, "GET", "/api/v1/services/web/pools/static/members", null, TOKEN);
        assertEquals(200, members.statusCode(), members.body());
        assertTrue(members.body().contains("\"address\": \"10.0.0.14\""), members.body());
        assertTrue(Files.readString(config).contains("10.0.0.14"), "saved to the config file");
        assertFalse(listening(restPort), "Baton's own REST server is not started");

        // restServer = baton: the component restarts with Baton's own server; /baton is withdrawn.
        props.put("restServer", "baton");
        configType.getMethod("update", Dictionary.class).invoke(configuration, props);
        String own = "http://127.0.0.1:" + restPort;
        assertEquals(200, await(own, "/api/v1/stats", TOKEN, s -> s == 200), "Baton's own server answers");
        assertEquals(404, call(base, "GET", "/api/v1/stats", null, TOKEN).statusCode(), "nothing under /baton");

        // Deleted: Baton stops and closes its listener.
        configType.getMethod("delete").invoke(configuration);
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (listening(restPort) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertFalse(listening(restPort), "Baton's own server closed with the configuration");
    }

    /** The Baton config (rest.port free, handoff on a free port), the secret and the token, 0600. */
    private Path files(int restPort) throws IOException {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path token = dir.resolve("token");
        Files.writeString(token, TOKEN + "\n");
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
        Path config = dir.resolve("baton.json");
        Files.writeString(config, OdlEngineScenarioTest.CONFIG
                .replace("\"port\": 7070", "\"port\": " + freePort())
                .replace("\"port\": 8181", "\"port\": " + restPort));
        return config;
    }

    /**
     * openflowplugin's services with nothing behind them, as proxies of OpenDaylight's interfaces in
     * the framework (registered by mdsal-binding-api's bundle, which exports them): no RPC is
     * called without a switch, no notification comes, and the operational inventory is empty.
     */
    private void registerEmptyMdsalServices() throws Exception {
        Bundle api = felix.bundle("org.opendaylight.mdsal.mdsal-binding-api");
        Bundle adapter = felix.bundle("io.baton.opendaylight-app");
        ClassLoader loader = adapter.adapt(BundleWiring.class).getClassLoader();
        Class<?> registration = adapter.loadClass("org.opendaylight.yangtools.concepts.Registration");
        Object noRegistration = proxy(loader, registration, (p, m, a) -> null);
        Object rpcs = proxy(loader, adapter.loadClass("org.opendaylight.mdsal.binding.api.RpcService"),
                (p, m, a) -> m.getName().equals("getRpc") ? proxy(((Class<?>) a[0]).getClassLoader(), (Class<?>) a[0],
                        (p2, m2, a2) -> {
                            throw new UnsupportedOperationException("no switch here");
                        }) : null);
        Object notifications = proxy(loader, adapter.loadClass("org.opendaylight.mdsal.binding.api.NotificationService"),
                (p, m, a) -> m.getName().startsWith("register") ? noRegistration : null);
        // read(...) answers an empty Optional at once, as a Guava FluentFuture of the framework's Guava.
        Class<?> futures = adapter.loadClass("com.google.common.util.concurrent.Futures");
        Class<?> listenable = adapter.loadClass("com.google.common.util.concurrent.ListenableFuture");
        Object empty = adapter.loadClass("com.google.common.util.concurrent.FluentFuture").getMethod("from", listenable)
                .invoke(null, futures.getMethod("immediateFuture", Object.class).invoke(null, Optional.empty()));
        Object readTx = proxy(loader, adapter.loadClass("org.opendaylight.mdsal.binding.api.ReadTransaction"),
                (p, m, a) -> m.getName().equals("read") ? empty : null);
        Object broker = proxy(loader, adapter.loadClass("org.opendaylight.mdsal.binding.api.DataBroker"),
                (p, m, a) -> m.getName().equals("newReadOnlyTransaction") ? readTx : null);
        api.getBundleContext().registerService("org.opendaylight.mdsal.binding.api.RpcService", rpcs, null);
        api.getBundleContext().registerService("org.opendaylight.mdsal.binding.api.NotificationService", notifications, null);
        api.getBundleContext().registerService("org.opendaylight.mdsal.binding.api.DataBroker", broker, null);
    }

    /** A proxy of {@code type}: {@code handler} answers its methods; Object's methods answer as identity. */
    private static Object proxy(ClassLoader loader, Class<?> type, InvocationHandler handler) {
        return Proxy.newProxyInstance(loader, new Class<?>[] {type}, (p, m, a) -> objectMethod(p, m, a)
                .orElseGet(() -> {
                    try {
                        return handler.invoke(p, m, a);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Throwable t) {
                        throw new IllegalStateException(t);
                    }
                }));
    }

    private static Optional<Object> objectMethod(Object proxy, Method m, Object[] args) {
        switch (m.getName()) {
            case "hashCode":
                return m.getParameterCount() == 0 ? Optional.of(System.identityHashCode(proxy)) : Optional.empty();
            case "equals":
                return m.getParameterCount() == 1 ? Optional.of(proxy == args[0]) : Optional.empty();
            case "toString":
                return m.getParameterCount() == 0 ? Optional.of("stand-in " + proxy.getClass().getInterfaces()[0].getName())
                        : Optional.empty();
            default:
                return Optional.empty();
        }
    }

    private HttpResponse<String> call(String base, String method, String path, String body, String token)
            throws Exception {
        return RestCalls.call(http, base, method, path, body, token);
    }

    /** Calls GET until {@code done} accepts the status (or 20 s pass); the last status. */
    private int await(String base, String path, String token, IntPredicate done) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int status = -1;
        while (System.nanoTime() < end) {
            try {
                status = call(base, "GET", path, null, token).statusCode();
            } catch (IOException notYetListening) {
                status = -1;
            }
            if (done.test(status)) {
                return status;
            }
            Thread.sleep(100);
        }
        return status;
    }

}
