package io.baton.controller.embed;

import io.baton.controller.admin.ClusterAdmin;
import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigStore;
import io.baton.controller.engine.BatonEngine;
import io.baton.controller.handoff.HandoffServer;
import io.baton.controller.rest.RestServer;
import io.baton.controller.southbound.Southbound;
import io.baton.handoff.protocol.SecretFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Baton's engine with its handoff channel and REST API, on whatever southbound the host gives:
 * what the standalone controller, the ONOS app and the OpenDaylight app each start. The host
 * starts its southbound's switch connections after this returns (the engine is ready for them)
 * and closes them before {@link #close()}.
 */
public final class BatonRuntime implements AutoCloseable {
    private final BatonEngine engine;
    private final HandoffServer handoff = new HandoffServer();
    private final RestServer rest = new RestServer();

    private BatonRuntime(BatonEngine engine) {
        this.engine = engine;
    }

    /**
     * Starts everything or, if any part cannot start (a port taken), nothing: what started is
     * closed and the error thrown, since inside Karaf, ONOS or OpenDaylight the JVM lives on.
     */
    public static BatonRuntime start(ConfigStore store, byte[] secret, byte[] token, Southbound southbound) {
        BatonConfig config = store.current();
        BatonRuntime runtime = new BatonRuntime(new BatonEngine(config, southbound));
        try {
            runtime.engine.start();
            // The engine prepares the switches it finds at start on its own thread; let that pass
            // first, so that a switch arriving now is not prepared twice.
            runtime.engine.ask(() -> null).join();
            runtime.handoff.start(config.handoffListen(), secret, runtime.engine, runtime.engine.counters());
            runtime.rest.start(config.restListen(), new ClusterAdmin(store, runtime.engine), token);
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
        return new String(SecretFile.read(file), StandardCharsets.UTF_8).trim().getBytes(StandardCharsets.UTF_8);
    }

    /** The REST API's counters by name (refused calls and why, changes made). */
    public java.util.Map<String, Long> restCounters() {
        return rest.counters().snapshot();
    }

    @Override
    public void close() {
        rest.close();
        handoff.close();
        engine.close();
    }
}
