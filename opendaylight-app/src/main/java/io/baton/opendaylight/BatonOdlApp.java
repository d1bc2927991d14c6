package io.baton.opendaylight;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigStore;
import io.baton.controller.embed.BatonRuntime;
import org.opendaylight.aaa.web.WebServer;
import org.opendaylight.aaa.web.servlet.ServletSupport;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.NotificationService;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Baton inside OpenDaylight 0.21: a Declarative Services component that takes the MD-SAL binding
 * services openflowplugin's feature brings (RPCs, notifications, the data broker), and runs
 * Baton's engine, handoff channel and REST API on them. The REST API is served by OpenDaylight's web
 * server (aaa's {@link WebServer}, context {@value OdlWebRestPublisher#CONTEXT_PATH}) unless
 * {@code restServer = baton} asks for Baton's own server on the config's {@code rest} address.
 *
 * <p>Like the standalone Karaf component it exists only while configuration {@value #PID} does;
 * deactivation (configuration deleted, bundle stopped, a service gone) stops every listener and
 * thread and unregisters every notification listener. Rules already on the switches stay until
 * they time out (per-connection rules have an idle timeout); the base rules have none and stay,
 * as with the embedded controller. This class is the only place that knows OSGi.
 */
@Component(configurationPid = BatonOdlApp.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = BatonOdlAppConfig.class)
public final class BatonOdlApp {
    /** Configuration Admin PID. */
    public static final String PID = "io.baton.opendaylight";
    /** {@code restServer} value: OpenDaylight's web server serves the REST API (the default). */
    public static final String REST_OPENDAYLIGHT = "opendaylight";
    /** {@code restServer} value: Baton's own server on {@code rest.address}:{@code rest.port}. */
    public static final String REST_BATON = "baton";

    private static final Logger log = LoggerFactory.getLogger(BatonOdlApp.class);

    private final OdlRuntime runtime;

    @Activate
    public BatonOdlApp(@Reference RpcService rpcs, @Reference NotificationService notifications,
                       @Reference DataBroker dataBroker, @Reference WebServer webServer,
                       @Reference ServletSupport servletSupport, BatonOdlAppConfig settings)
            throws ConfigException, IOException {
        Path configFile = resolve(settings.configFile());
        try {
            Optional<OdlWebRestPublisher> web = odlWebServer(settings.restServer())
                    ? Optional.of(new OdlWebRestPublisher(webServer, servletSupport)) : Optional.empty();
            // As with the standalone controller, changes made through the REST API are saved to this file.
            ConfigStore store = ConfigStore.open(configFile);
            BatonConfig config = store.current();
            Path secretFile = settings.secretFile().isBlank() ? config.secretFile() : resolve(settings.secretFile());
            Path tokenFile = settings.tokenFile().isBlank() ? config.tokenFile() : resolve(settings.tokenFile());
            OdlSouthbound southbound = new OdlSouthbound(rpcs, notifications, new DataBrokerInventory(dataBroker),
                    settings.rpcTimeoutMillis());
            runtime = OdlRuntime.start(store, BatonRuntime.readSecret(secretFile), BatonRuntime.readToken(tokenFile),
                    southbound, web);
        } catch (ConfigException | IOException | RuntimeException e) {
            // SCR logs the exception too, but only with the component's name; say which file and why.
            log.error("Baton on OpenDaylight not started ({} {}): {}", PID, configFile, e.getMessage());
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        runtime.close();
        log.info("Baton on OpenDaylight stopped");
    }

    /** Whether {@code restServer} asks for OpenDaylight's web server; anything but the two values is refused. */
    static boolean odlWebServer(String restServer) {
        String v = restServer == null ? "" : restServer.trim();
        if (v.isEmpty() || v.equals(REST_OPENDAYLIGHT)) {
            return true;
        }
        if (v.equals(REST_BATON)) {
            return false;
        }
        throw new IllegalArgumentException(PID + ": restServer must be " + REST_OPENDAYLIGHT + " or " + REST_BATON
                + ", not '" + restServer + "'");
    }

    /** Paths in the configuration are absolute or relative to Karaf's etc folder. */
    static Path resolve(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException(PID + ": configFile is required");
        }
        Path p = Path.of(path.trim());
        String etc = System.getProperty("karaf.etc");
        return p.isAbsolute() || etc == null ? p : Path.of(etc).resolve(p);
    }
}
