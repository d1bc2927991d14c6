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
import java.time.Duration;

/**
 * The standalone controller (embedded OpenFlow 1.3 server, handoff channel, REST API) as a
 * Declarative Services component, for plain Apache Karaf or any OSGi framework with SCR and
 * Configuration Admin.
 *
 * <p>It exists only while configuration {@value #PID} does: activation reads the JSON config and
 * the secret files and starts listening; deactivation closes every listener, switch and agent
 * connection and ends the threads. A changed configuration restarts the controller: listeners
 * cannot move in place, and connection state is not carried over (clients in a handshake
 * retransmit; handed-off connections are the switch's and the agents', not the controller's).
 *
 * <p>What happens to the switches' rules depends on why Baton stops. A restart keeps them, so
 * handed-off connections keep flowing and the next run takes them back: the configuration changed,
 * or the whole framework is shutting down (its system bundle is STOPPING). Any other deactivation
 * takes Baton away (feature uninstalled, bundle stopped, configuration deleted, component
 * disabled): Baton's rules are deleted from every connected switch before the connections close.
 * A bundle refresh or update cannot be told from an uninstall here, so it deletes them too, and
 * the controller that starts again installs its base rules afresh.
 *
 * <p>This class and {@link FrameworkState} are the only places that know OSGi; the engine below
 * them does not.
 */
@Component(configurationPid = StandaloneController.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = StandaloneControllerConfig.class)
public final class StandaloneController {
    /** Configuration Admin PID. */
    public static final String PID = "io.baton.controller";
    /** How long taking Baton away waits for the switches to confirm that its rules are gone. */
    static final Duration RULE_REMOVAL_TIMEOUT = Duration.ofSeconds(5);
    /** {@code org.osgi.service.component.ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_MODIFIED}. */
    static final int REASON_CONFIGURATION_MODIFIED = 3;

    private static final Logger log = LoggerFactory.getLogger(StandaloneController.class);

    private volatile Main.Controller running;

    @Activate
    void activate(StandaloneControllerConfig settings) throws ConfigException, IOException {
        Path configFile = resolve(settings.configFile());
        try {
            // As with bin/baton-controller, changes made through the REST API are saved to this file.
            ConfigStore store = ConfigStore.open(configFile);
            BatonConfig config = store.current();
            Path secretFile = settings.secretFile().isBlank() ? config.secretFile() : resolve(settings.secretFile());
            Path tokenFile = settings.tokenFile().isBlank() ? config.tokenFile() : resolve(settings.tokenFile());
            running = Main.Controller.start(store, SecretFile.read(secretFile), Main.readToken(tokenFile));
        } catch (ConfigException | IOException | RuntimeException e) {
            // SCR logs the exception too, but only with the component's name; say which file and why.
            log.error("Baton controller not started ({} {}): {}", PID, configFile, e.getMessage());
            throw e;
        }
    }

    /** @param reason SCR's deactivation reason ({@code ComponentConstants.DEACTIVATION_REASON_*}) */
    @Deactivate
    void deactivate(int reason) {
        Main.Controller r = running;
        running = null;
        if (r == null) {
            return;
        }
        FrameworkState framework = FrameworkState.of(StandaloneController.class);
        if (removesRules(reason, framework)) {
            r.closeAndRemoveRules(RULE_REMOVAL_TIMEOUT);
            log.info("Baton controller stopped (deactivation reason {}); its rules are gone", reason);
        } else {
            r.close();
            log.info("Baton controller stopped (deactivation reason {}, framework {}); switches keep its rules",
                    reason, framework);
        }
    }

    /**
     * Whether this deactivation takes Baton away for good. A framework whose state cannot be read
     * counts as stopping: keeping rules a moment too long harms no connection, deleting them
     * during a restart cuts every handed-off one.
     */
    static boolean removesRules(int reason, FrameworkState framework) {
        return reason != REASON_CONFIGURATION_MODIFIED && framework == FrameworkState.RUNNING;
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
