package io.baton.onos;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigStore;
import io.baton.handoff.protocol.SecretFile;
import org.onosproject.cfg.ComponentConfigService;
import org.onosproject.core.ApplicationId;
import org.onosproject.core.CoreService;
import org.onosproject.net.device.DeviceService;
import org.onosproject.net.flow.FlowRuleService;
import org.onosproject.net.packet.PacketService;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.HttpService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Dictionary;

/**
 * Baton as an ONOS application: the engine on ONOS's packet, flow rule and device services, the
 * handoff channel for the servers' agents, and the REST API under {@code /onos/baton/}.
 *
 * <p>Configured through ONOS's component configuration ({@code onos> cfg set
 * io.baton.onos.BatonOnosApp configFile /path/baton.json}); properties are declared in
 * {@code BatonOnosApp.cfgdef} beside this class, as ONOS's build would generate them. Until
 * {@value #CONFIG_FILE} is set the app is active but idle. A changed property restarts Baton:
 * listeners cannot move in place, and connection state is not carried over (clients in a
 * handshake retransmit; handed-off connections are the switch's and the agents').
 *
 * <p>This class is the only place that knows OSGi; {@link OnosRuntime} below it does not.
 */
@Component(immediate = true, service = {},
        property = {BatonOnosApp.CONFIG_FILE + "=", BatonOnosApp.SECRET_FILE + "=", BatonOnosApp.TOKEN_FILE + "="})
public final class BatonOnosApp {
    /** The ONOS application name (app.xml, {@code onos-app ... activate}). */
    public static final String APP_NAME = "io.baton.onos";
    static final String CONFIG_FILE = "configFile";
    static final String SECRET_FILE = "secretFile";
    static final String TOKEN_FILE = "tokenFile";

    private static final Logger log = LoggerFactory.getLogger(BatonOnosApp.class);

    @Reference
    CoreService coreService;
    @Reference
    PacketService packetService;
    @Reference
    FlowRuleService flowRuleService;
    @Reference
    DeviceService deviceService;
    @Reference
    ComponentConfigService configService;
    @Reference
    HttpService httpService;

    private ApplicationId appId;
    private OnosRuntime runtime;

    @Activate
    void activate(ComponentContext context) {
        appId = coreService.registerApplication(APP_NAME);
        configService.registerProperties(getClass());
        start(context.getProperties());
    }

    @Modified
    void modified(ComponentContext context) {
        stop();
        start(context.getProperties());
    }

    @Deactivate
    void deactivate() {
        stop();
        configService.unregisterProperties(getClass(), false);
    }

    /**
     * Starts Baton if configured. A bad configuration is logged with the file and the reason
     * and leaves Baton idle, rather than failing the component: the operator fixes the file or
     * the property, and {@code cfg set} starts it again.
     */
    private void start(Dictionary<String, Object> properties) {
        String configFile = property(properties, CONFIG_FILE);
        if (configFile.isEmpty()) {
            log.info("Baton idle: set its configuration with 'cfg set {} {} FILE'", getClass().getName(), CONFIG_FILE);
            return;
        }
        Path config = resolve(configFile);
        try {
            ConfigStore store = ConfigStore.open(config);
            BatonConfig c = store.current();
            String secret = property(properties, SECRET_FILE);
            String token = property(properties, TOKEN_FILE);
            runtime = OnosRuntime.start(store,
                    SecretFile.read(secret.isEmpty() ? c.secretFile() : resolve(secret)),
                    readToken(token.isEmpty() ? c.tokenFile() : resolve(token)),
                    new OnosServices(appId, packetService, flowRuleService, deviceService),
                    new HttpServiceRestPublisher(httpService));
        } catch (ConfigException | IOException e) {
            log.error("Baton not started ({} {}): {}", CONFIG_FILE, config, e.getMessage()); // the message says it all
        } catch (RuntimeException e) {
            log.error("Baton not started ({} {}): {}", CONFIG_FILE, config, e.toString(), e);
        }
    }

    private void stop() {
        OnosRuntime r = runtime;
        runtime = null;
        if (r != null) {
            r.close();
            log.info("Baton stopped");
        }
    }

    private static String property(Dictionary<String, Object> properties, String name) {
        Object v = properties == null ? null : properties.get(name);
        return v == null ? "" : v.toString().trim();
    }

    /** The REST bearer token, read as the standalone controller reads it. */
    static byte[] readToken(Path file) throws IOException {
        return io.baton.controller.embed.BatonRuntime.readToken(file);
    }

    /** Paths are absolute or relative to Karaf's etc folder, as for the standalone Karaf component. */
    static Path resolve(String path) {
        Path p = Path.of(path);
        String etc = System.getProperty("karaf.etc");
        return p.isAbsolute() || etc == null ? p : Path.of(etc).resolve(p);
    }
}
