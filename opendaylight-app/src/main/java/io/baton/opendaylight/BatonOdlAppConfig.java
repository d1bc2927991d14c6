package io.baton.opendaylight;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Configuration Admin properties of PID {@value BatonOdlApp#PID} (in OpenDaylight's Karaf:
 * {@code etc/io.baton.opendaylight.cfg}). Relative paths are taken from Karaf's {@code etc} folder.
 */
@ObjectClassDefinition(name = "Baton on OpenDaylight",
        description = "Baton's engine, handoff channel and REST API on OpenDaylight's openflowplugin")
public @interface BatonOdlAppConfig {

    @AttributeDefinition(name = "Config file",
            description = "Baton's JSON config file (README, section Configuration); openflow.listen is unused")
    String configFile();

    @AttributeDefinition(name = "Secret file", required = false,
            description = "Shared secret of controller and agents, mode 0600; empty: the config's handoff.secretFile")
    String secretFile() default "";

    @AttributeDefinition(name = "Token file", required = false,
            description = "REST bearer token, mode 0600; empty: the config's rest.tokenFile")
    String tokenFile() default "";

    @AttributeDefinition(name = "REST server", required = false,
            description = "Which server serves the REST API: OpenDaylight's web server (context /baton), or Baton's"
                    + " own on the config's rest.address and rest.port",
            options = {@Option(label = "OpenDaylight's web server, at /baton", value = BatonOdlApp.REST_OPENDAYLIGHT),
                       @Option(label = "Baton's own server, on rest.address:rest.port", value = BatonOdlApp.REST_BATON)})
    String restServer() default BatonOdlApp.REST_OPENDAYLIGHT;

    @AttributeDefinition(name = "Flow RPC timeout (ms)", required = false,
            description = "An add/remove-flow RPC unanswered for this long fails")
    long rpcTimeoutMillis() default OdlSouthbound.DEFAULT_RPC_TIMEOUT_MILLIS;
}
