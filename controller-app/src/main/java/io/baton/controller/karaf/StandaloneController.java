package io.baton.controller.karaf;

import io.baton.controller.Main;
import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigStore;
import io.baton.handoff.protocol.SecretFile;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The standalone controller (embedded OpenFlow 1.3 server, handoff channel, REST API) as a
 * Declarative Services component, for plain Apache Karaf or any OSGi framework with SCR and
 * Configuration Admin.
 *
 * <p>It exists only while configuration {@value #PID} does: activation reads the JSON config and
 * the secret files and starts listening; deactivation (configuration deleted, bundle stopped,
 * feature uninstalled) closes every listener, switch and agent connection and ends the threads.
 * A changed configuration restarts the controller: listeners cannot move in place, and connection
 * state is not carried over (clients in a handshake retransmit; handed-off connections are the
 * switch's and the agents', not the controller's).
 *
 * <p>This class is the only place that knows OSGi; the engine below it does not.
 */
@Component(configurationPid = StandaloneController.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = StandaloneControllerConfig.class)
public final class StandaloneController {
    /** Configuration Admin PID. */
    public static final String PID = "io.baton.controller";

    private static final Logger log = LoggerFactory.getLogger(StandaloneController.class);

    private volatile Main.Controller controller;

    @Activate
    void activate(StandaloneControllerConfig settings) throws ConfigException, IOException {
        Path configFile = resolve(settings.configFile());
        try {
            // As with bin/baton-controller, changes made through the REST API are saved to this file.
            ConfigStore store = ConfigStore.open(configFile);
            BatonConfig config = store.current();
            Path secretFile = settings.secretFile().isBlank() ? config.secretFile() : resolve(settings.secretFile());
            Path tokenFile = settings.tokenFile().isBlank() ? config.tokenFile() : resolve(settings.tokenFile());
            controller = Main.Controller.start(store, SecretFile.read(secretFile), Main.readToken(tokenFile));
        } catch (ConfigException | IOException | RuntimeException e) {
            // SCR logs the exception too, but only with the component's name; say which file and why.
            log.error("Baton controller not started ({} {}): {}", PID, configFile, e.getMessage());
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        Main.Controller c = controller;
        controller = null;
        if (c != null) {
            c.close();
            log.info("Baton controller stopped");
        }
    }

    /** Paths in the configuration are absolute or relative to Karaf's etc folder. */
    private static Path resolve(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException(PID + ": configFile is required");
        }
        Path p = Path.of(path.trim());
        String etc = System.getProperty("karaf.etc");
        return p.isAbsolute() || etc == null ? p : Path.of(etc).resolve(p);
    }
}
