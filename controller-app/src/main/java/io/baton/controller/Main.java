package io.baton.controller;

import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.engine.BatonEngine;
import io.baton.controller.handoff.HandoffServer;
import io.baton.controller.openflow.OpenFlowController;
import io.baton.controller.openflow.OpenFlowControllerConfig;
import io.baton.controller.rest.RestServer;
import io.baton.handoff.protocol.SecretFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/** {@code baton-controller --config FILE}: the standalone controller with its embedded OpenFlow 1.3 server. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    static final int EXIT_USAGE = 2;
    static final int EXIT_CONFIG = 3;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h":
                case "--help":
                    usage(System.out);
                    return;
                case "--config":
                    if (i + 1 >= args.length) {
                        fail("--config needs a file");
                    }
                    configFile = Path.of(args[++i]);
                    break;
                default:
                    fail("unknown argument: " + args[i]);
            }
        }
        if (configFile == null) {
            fail("--config FILE is required");
        }
        BatonConfig config;
        byte[] secret;
        byte[] token;
        try {
            config = ConfigLoader.load(configFile);
            secret = SecretFile.read(config.secretFile());
            token = new String(SecretFile.read(config.tokenFile()), StandardCharsets.UTF_8).trim()
                    .getBytes(StandardCharsets.UTF_8);
        } catch (ConfigException e) {
            System.err.println("baton-controller: config error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        } catch (IOException e) {
            System.err.println("baton-controller: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        Controller controller = Controller.start(config, secret, token);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            controller.close();
            stopped.countDown();
        }, "baton-shutdown"));
        stopped.await();
    }

    private static void fail(String message) {
        System.err.println("baton-controller: " + message);
        usage(System.err);
        System.exit(EXIT_USAGE);
    }

    private static void usage(PrintStream out) {
        out.println("usage: baton-controller --config FILE");
        out.println("  Runs Baton's standalone controller: OpenFlow 1.3 for the switches, the handoff");
        out.println("  channel for the servers' agents and the REST API, on the addresses in FILE.");
        out.println("  FILE is JSON; see README.md, section Configuration.");
    }

    /** The running parts of a standalone controller, stopped in reverse order. */
    public static final class Controller implements AutoCloseable {
        private final OpenFlowController openflow;
        private final BatonEngine engine;
        private final HandoffServer handoff;
        private final RestServer rest;

        private Controller(OpenFlowController openflow, BatonEngine engine, HandoffServer handoff, RestServer rest) {
            this.openflow = openflow;
            this.engine = engine;
            this.handoff = handoff;
            this.rest = rest;
        }

        public static Controller start(BatonConfig config, byte[] secret, byte[] token) {
            OpenFlowController openflow = new OpenFlowController(OpenFlowControllerConfig.builder()
                    .bindAddress(config.openflowListen().getHostString())
                    .port(config.openflowListen().getPort()).build());
            BatonEngine engine = new BatonEngine(config, openflow);
            engine.start();
            HandoffServer handoff = new HandoffServer();
            handoff.start(config.handoffListen(), secret, engine, engine.counters());
            RestServer rest = new RestServer();
            rest.start(config.restListen(), engine, token);
            openflow.start();
            log.info("Baton controller up: openflow {}, handoff {}, rest {}, services {}", config.openflowListen(),
                    config.handoffListen(), config.restListen(),
                    Arrays.toString(config.services().stream().map(s -> s.name() + "=" + s.vip() + ":" + s.port()
                            + "/" + s.mode().configName()).toArray()));
            return new Controller(openflow, engine, handoff, rest);
        }

        public BatonEngine engine() {
            return engine;
        }

        @Override
        public void close() {
            rest.close();
            handoff.close();
            openflow.stop();
            engine.close();
        }
    }
}
