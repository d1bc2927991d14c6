package io.baton.opendaylight;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigStore;
import io.baton.controller.embed.BatonRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The running parts of Baton inside OpenDaylight, stopped in reverse order: controller-app's
 * {@link BatonRuntime} (engine, handoff channel, REST API) on the OpenDaylight southbound, in place
 * of the embedded OpenFlow server (whose listen address in the config is therefore unused:
 * OpenDaylight owns the switches' connections).
 *
 * <p>The REST API is served by OpenDaylight's web server ({@link OdlWebRestPublisher}) or, when
 * configured so, by Baton's own server on the config's {@code rest} address.
 */
final class OdlRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OdlRuntime.class);

    private final OdlSouthbound southbound;
    private final BatonRuntime runtime;

    private OdlRuntime(OdlSouthbound southbound, BatonRuntime runtime) {
        this.southbound = southbound;
        this.runtime = runtime;
    }

    /** Starts everything or, if any part cannot start, nothing: the rest is closed and the error thrown. */
    static OdlRuntime start(ConfigStore store, byte[] secret, byte[] token, OdlSouthbound southbound,
                            Optional<OdlWebRestPublisher> web) {
        BatonConfig config = store.current();
        BatonRuntime runtime = web.isPresent()
                ? BatonRuntime.start(store, secret, token, southbound, web.get())
                : BatonRuntime.start(store, secret, token, southbound);
        try {
            // Last, as the embedded controller accepts switches last: the engine is ready for them.
            southbound.start();
        } catch (RuntimeException | Error e) {
            // Inside Karaf the JVM lives on: nothing may stay bound or running after a failed start.
            southbound.close();
            runtime.close();
            throw e;
        }
        log.info("Baton on OpenDaylight up: handoff {}, REST API {}, {} services (openflow.listen {} unused: "
                + "OpenDaylight owns the switches)", config.handoffListen(),
                web.map(OdlWebRestPublisher::where).orElse("on Baton's own server " + config.restListen()),
                config.services().size(), config.openflowListen());
        return new OdlRuntime(southbound, runtime);
    }

    @Override
    public void close() {
        southbound.close();
        runtime.close();
    }
}
