package io.baton.controller;

import io.baton.controller.config.ConfigStore;
import io.baton.controller.config.BatonConfig;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.embed.BatonRuntime;
import io.baton.controller.engine.BatonEngine;
import io.baton.controller.openflow.OpenFlowController;
import io.baton.controller.openflow.OpenFlowControllerConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.baton.handoff.protocol.SecretFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;

/** {@code baton-controller --config FILE}: the standalone controller with its embedded OpenFlow 1.3 server. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    static final int EXIT_USAGE = 2;
    static final int EXIT_CONFIG = 3;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        Parsed p = parse(args, System.out, System.err);
        if (p.exitCode >= 0) {
            System.exit(p.exitCode);
            return;
        }
        Controller controller = Controller.start(p.store, p.secret, p.token);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            controller.close();
            stopped.countDown();
        }, "baton-shutdown"));
        stopped.await();
    }

    /** What the command line and the files it names amount to: a config to run, or an exit code. */
    static final class Parsed {
        final int exitCode;
        final ConfigStore store;
        final BatonConfig config;
        final byte[] secret;
        final byte[] token;

        private Parsed(int exitCode, ConfigStore store, byte[] secret, byte[] token) {
            this.exitCode = exitCode;
            this.store = store;
            this.config = store == null ? null : store.current();
            this.secret = secret;
            this.token = token;
        }

        static Parsed exit(int code) {
            return new Parsed(code, null, null, null);
        }
    }

    /** Reads the arguments, the config and the secret files; never exits the JVM itself. */
    static Parsed parse(String[] args, PrintStream out, PrintStream err) {
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h":
                case "--help":
                    usage(out);
                    return Parsed.exit(0);
                case "--config":
                    if (i + 1 >= args.length) {
                        return usageError(err, "--config needs a file");
                    }
                    configFile = Path.of(args[++i]);
                    break;
                default:
                    return usageError(err, "unknown argument: " + args[i]);
            }
        }
        if (configFile == null) {
            return usageError(err, "--config FILE is required");
        }
        try {
            ConfigStore store = ConfigStore.open(configFile);
            BatonConfig config = store.current();
            byte[] secret = SecretFile.read(config.secretFile());
            byte[] token = readToken(config.tokenFile());
            return new Parsed(-1, store, secret, token);
        } catch (ConfigException e) {
            err.println("baton-controller: config error: " + e.getMessage());
        } catch (IOException e) {
            err.println("baton-controller: " + e.getMessage());
        }
        return Parsed.exit(EXIT_CONFIG);
    }

    /**
     * The REST bearer token: the file's text without surrounding white space, checked like the
     * handoff secret (mode 0600 or stricter).
     */
    public static byte[] readToken(Path file) throws IOException {
        return BatonRuntime.readToken(file);
    }

    private static Parsed usageError(PrintStream err, String message) {
        err.println("baton-controller: " + message);
        usage(err);
        return Parsed.exit(EXIT_USAGE);
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
        private final BatonRuntime runtime;
        /**
         * The one thread of the engine, the switch connections and the agents' connections: a
         * packet-in, the engine's answer and an agent's reply cross no thread (each hand-over cost
         * tens of microseconds of a connection's time to first byte). It outlives the engine, so
         * that Baton's rules can still be deleted after the engine stopped.
         */
        private final EventLoopGroup loop;

        private Controller(OpenFlowController openflow, BatonRuntime runtime, EventLoopGroup loop) {
            this.openflow = openflow;
            this.runtime = runtime;
            this.loop = loop;
        }

        /** A controller whose REST changes are kept in memory only (embedded uses, tests). */
        public static Controller start(BatonConfig config, byte[] secret, byte[] token) {
            return start(ConfigStore.inMemory(config), secret, token);
        }

        /** A controller whose REST changes are saved by {@code store}. */
        public static Controller start(ConfigStore store, byte[] secret, byte[] token) {
            BatonConfig config = store.current();
            OpenFlowController openflow = new OpenFlowController(OpenFlowControllerConfig.builder()
                    .bindAddress(config.openflowListen().getHostString())
                    .port(config.openflowListen().getPort()).build());
            EventLoopGroup loop = new NioEventLoopGroup(1, BatonEngine::engineThread);
            BatonRuntime runtime;
            try {
                runtime = BatonRuntime.start(store, secret, token, openflow, loop.next());
            } catch (Throwable t) {
                shutdown(loop);
                throw t;
            }
            try {
                openflow.start(loop);
            } catch (Throwable t) {
                // A listener that cannot bind must not leave the others (and their threads) running:
                // inside Karaf the JVM lives on, and the next activation would find the ports taken.
                openflow.stop();
                runtime.close();
                shutdown(loop);
                throw t;
            }
            log.info("Baton controller up: openflow {}, handoff {}, rest {}, services {}", config.openflowListen(),
                    config.handoffListen(), config.restListen(),
                    Arrays.toString(config.services().stream().map(s -> s.name() + "=" + s.vip() + ":" + s.port()
                            + "/" + s.mode().configName()).toArray()));
            return new Controller(openflow, runtime, loop);
        }

        private static void shutdown(EventLoopGroup loop) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }

        /** The REST API's counters by name. */
        public java.util.Map<String, Long> restCounters() {
            return runtime.restCounters();
        }

        /** A restart: switches keep Baton's rules, so handed-off connections live on. */
        @Override
        public void close() {
            openflow.stop();
            runtime.close();
            shutdown(loop);
        }

        /** For good (Baton uninstalled): its rules and meters deleted, confirmed or timed out, then the switches let go. */
        public BatonRuntime.RuleRemoval closeAndRemoveRules(java.time.Duration timeout) {
            try {
                return runtime.closeAndRemoveRules(timeout);
            } finally {
                openflow.stop();
                shutdown(loop);
            }
        }
    }
}
