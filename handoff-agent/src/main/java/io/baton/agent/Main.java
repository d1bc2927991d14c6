package io.baton.agent;

import io.baton.handoff.protocol.SecretFile;
import java.io.IOException;
import java.io.PrintStream;

/** Command line entry point of baton-agent. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Parses the arguments, reads the secret and starts an agent. For in-process use (tests).
     *
     * @throws UsageException on a bad command line (message "--help" for --help)
     * @throws IOException    if the secret file is unusable
     */
    public static Agent launch(String... args) throws UsageException, IOException {
        AgentConfig config = AgentConfig.parse(args);
        byte[] secret = SecretFile.read(config.secretFile());
        return new Agent(config, secret).start();
    }

    /**
     * Runs the agent until the process is stopped.
     *
     * @return the exit code: 0 after --help or a normal stop, 2 for bad arguments or secret file, 1 otherwise
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Agent agent;
        try {
            agent = launch(args);
        } catch (UsageException e) {
            if (e.getMessage().equals("--help")) {
                out.println(AgentConfig.usage());
                return 0;
            }
            err.println("baton-agent: " + e.getMessage());
            err.println(AgentConfig.usage());
            return 2;
        } catch (IOException e) {
            err.println("baton-agent: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("baton-agent: cannot start: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "baton-agent-shutdown"));
        try {
            agent.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
