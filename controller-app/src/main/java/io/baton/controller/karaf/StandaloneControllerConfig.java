package io.baton.controller.karaf;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration Admin properties of PID {@value StandaloneController#PID} (in Karaf:
 * {@code etc/io.baton.controller.cfg}). Relative paths are taken from Karaf's {@code etc} folder.
 */
@ObjectClassDefinition(name = "Baton standalone controller",
        description = "The embedded OpenFlow 1.3 controller, handoff channel and REST API of Baton")
public @interface StandaloneControllerConfig {

    @AttributeDefinition(name = "Config file",
            description = "Baton's JSON config file (README, section Configuration)")
    String configFile();

    @AttributeDefinition(name = "Secret file", required = false,
            description = "Shared secret of controller and agents, mode 0600; empty: the config's handoff.secretFile")
    String secretFile() default "";

    @AttributeDefinition(name = "Token file", required = false,
            description = "REST bearer token, mode 0600; empty: the config's rest.tokenFile")
    String tokenFile() default "";
}
