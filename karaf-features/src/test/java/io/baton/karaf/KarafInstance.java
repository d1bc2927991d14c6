package io.baton.karaf;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Apache Karaf, copied from the unpacked distribution into a fresh folder, configured to listen
 * on loopback only and to resolve {@code mvn:} URLs from one local folder (no network), run as a
 * child process and driven with its own {@code bin/client} over SSH.
 *
 * <p>{@link #close()} always ends the process (SIGTERM, then SIGKILL), whatever happened before.
 */
final class KarafInstance implements AutoCloseable {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String USER = "baton-it";

    private final Path home;
    private final int sshPort;
    private final String password;
    private Process process;
    /** Kills Karaf if the test JVM itself is ended (Ctrl-C, a failsafe timeout) before {@link #close()}. */
    private final Thread killOnExit = new Thread(() -> {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }, "kill-karaf");
    private boolean hookAdded;

    private KarafInstance(Path home, int sshPort, String password) {
        this.home = home;
        this.sshPort = sshPort;
        this.password = password;
    }

    /**
     * Copies {@code distribution} to {@code work/karaf} (deleting what an earlier run left) and
     * configures it: SSH on a free loopback port with a user of random password, the shutdown
     * port on loopback, and Maven resolution from the system folder and {@code repository} only.
     */
    static KarafInstance prepare(Path distribution, Path work, Path repository) throws IOException {
        deleteTree(work);
        Path home = work.resolve("karaf");
        copyTree(distribution, home);
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        StringBuilder password = new StringBuilder();
        for (byte b : random) {
            password.append(String.format("%02x", b));
        }
        KarafInstance k = new KarafInstance(home, freePort(), password.toString());

        k.replaceLines("etc/org.apache.karaf.shell.cfg", Map.of(
                "sshPort", "sshPort = " + k.sshPort,
                "sshHost", "sshHost = " + LOOPBACK.getHostAddress()));
        // The shutdown port is random (karaf.shutdown.port=0); keep it on loopback too.
        k.append("etc/custom.properties", "\nkaraf.shutdown.host = " + LOOPBACK.getHostAddress() + "\n"
                // Karaf runs on the etc prepared here: no configuration is written back into it.
                // A CI run once found etc/org.ops4j.pax.logging.cfg rewritten a second after the
                // launch with only its comments left, and nothing was logged to karaf.log.
                + "felix.fileinstall.enableConfigSave = false\n");
        k.append("etc/users.properties", "\n" + USER + " = " + k.password + ",_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n");
        k.writeEtc("baton-it-maven-settings.xml", "<settings/>\n");
        k.writeEtc("org.ops4j.pax.url.mvn.cfg", String.join("\n",
                "org.ops4j.pax.url.mvn.settings = " + home.resolve("etc/baton-it-maven-settings.xml"),
                "org.ops4j.pax.url.mvn.localRepository = " + home.resolve("data/m2"),
                "org.ops4j.pax.url.mvn.defaultRepositories = ${karaf.home.uri}system@id=system.repository@snapshots, "
                        + repository.toUri() + "@id=baton.it@snapshots",
                "org.ops4j.pax.url.mvn.repositories =",
                "org.ops4j.pax.url.mvn.useFallbackRepositories = false",
                "org.ops4j.pax.url.mvn.offline = true",
                ""));
        return k;
    }

    Path etc() {
        return home.resolve("etc");
    }

    void writeEtc(String name, String content) throws IOException {
        Files.writeString(etc().resolve(name), content, StandardCharsets.UTF_8);
    }

    /** Starts {@code bin/karaf daemon}, which execs the JVM: the child's pid is Karaf's. */
    void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", home.resolve("bin/karaf").toString(), "daemon")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.log").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        process = pb.start();
        if (!hookAdded) {
            Runtime.getRuntime().addShutdownHook(killOnExit);
            hookAdded = true;
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Waits until the shell answers over SSH and the boot features are installed. */
    void awaitShell(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitPort(sshPort, true, timeout);
        ClientResult last = null;
        while (System.nanoTime() < deadline) {
            if (!isAlive()) {
                throw new AssertionError("Karaf exited with " + process.exitValue() + " while starting");
            }
            last = client("feature:list -i --no-format");
            if (last.ok() && last.output.contains("ssh") && last.output.contains("config")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Karaf's shell not ready in " + timeout + "; last answer: " + last);
    }

    /** Runs one shell command through {@code bin/client}; its standard input stays open until it exits. */
    ClientResult client(String command) throws IOException, InterruptedException {
        Path out = Files.createTempFile(home, "client", ".out");
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", home.resolve("bin/client").toString(),
                "-a", Integer.toString(sshPort), "-h", LOOPBACK.getHostAddress(), "-u", USER, "-p", password,
                command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        // The client closes its session as soon as its standard input ends, even before the
        // command has answered: keep the pipe open until the client is done.
        try (OutputStream stdin = p.getOutputStream()) {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("bin/client '" + command + "' did not finish in 120 s");
            }
        }
        String output = Files.readString(out, StandardCharsets.UTF_8)
                .replace("client: JAVA_HOME not set; results may vary\n", "");
        Files.delete(out);
        return new ClientResult(command, p.exitValue(), output);
    }

    /**
     * Stops Karaf the documented way, {@code bin/stop} (through the shutdown port; the minimal
     * distribution has no {@code system:shutdown} command), and waits for its JVM to exit.
     */
    void stop(Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", home.resolve("bin/stop").toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("console.log").toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process stop = pb.start();
        if (!stop.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop.destroyForcibly();
            throw new AssertionError("bin/stop did not finish in " + timeout);
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Karaf still running " + timeout + " after bin/stop (exit "
                    + stop.exitValue() + ")");
        }
    }

    /** Ends the JVM if it still runs: SIGTERM, then after 10 s SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (hookAdded) {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
            hookAdded = false;
        }
    }

    /** The last lines of Karaf's log, for a failure message. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no karaf.log: " + e.getMessage() + ")";
        }
    }

    /**
     * Waits until Karaf's log holds {@code text}: its file is written by pax-logging's own
     * appender, which may flush after the event that the line reports.
     */
    boolean awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!logTail(Integer.MAX_VALUE).contains(text)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** Waits until a TCP connect to the loopback port succeeds ({@code open}) or is refused. */
    static void awaitPort(int port, boolean open, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (accepts(port) == open) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("port " + port + (open ? " never accepted" : " still accepts")
                        + " within " + timeout);
            }
            Thread.sleep(200);
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOOPBACK, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void replaceLines(String file, Map<String, String> byKey) throws IOException {
        Path p = home.resolve(file);
        String text = Files.readString(p, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> e : byKey.entrySet()) {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(e.getKey()) + "\\s*=.*$").matcher(text);
            if (!m.find()) {
                throw new IllegalStateException(file + " has no line " + e.getKey() + " = ...");
            }
            text = m.replaceAll(Matcher.quoteReplacement(e.getValue()));
        }
        Files.writeString(p, text, StandardCharsets.UTF_8);
    }

    private void append(String file, String text) throws IOException {
        Files.writeString(home.resolve(file), Files.readString(home.resolve(file), StandardCharsets.UTF_8) + text,
                StandardCharsets.UTF_8);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from.resolve("bin"))) {
            throw new IllegalStateException(from + " is not an unpacked Karaf; run through Maven (README)");
        }
        List<Path> all = new ArrayList<>();
        try (var walk = Files.walk(from)) {
            walk.forEach(all::add);
        }
        for (Path src : all) {
            Path dst = to.resolve(from.relativize(src).toString());
            if (Files.isDirectory(src)) {
                Files.createDirectories(dst);
            } else {
                Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** What one {@code bin/client} run printed and its exit code. */
    static final class ClientResult {
        final String command;
        final int exitCode;
        final String output;

        ClientResult(String command, int exitCode, String output) {
            this.command = command;
            this.exitCode = exitCode;
            this.output = output;
        }

        /** Exit code 0 and no error text (the shell prints errors and may still exit 0). */
        boolean ok() {
            return exitCode == 0 && !output.contains("Error executing command") && !output.contains("Command not found");
        }

        @Override
        public String toString() {
            return "'" + command + "' exit " + exitCode + ":\n" + output;
        }
    }
}
