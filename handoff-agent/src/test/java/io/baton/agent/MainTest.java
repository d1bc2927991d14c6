package io.baton.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.handoff.protocol.Ipv4;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path dir;

    private static final String[] BASE = {"--controller", "ctl.example:7000", "--upstream", "127.0.0.1:8081",
        "--secret-file", "/nonexistent", "--server-ip", "127.0.0.1"};

    private static String[] with(String... extra) {
        String[] a = new String[BASE.length + extra.length];
        System.arraycopy(BASE, 0, a, 0, BASE.length);
        System.arraycopy(extra, 0, a, BASE.length, extra.length);
        return a;
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void defaultsAndValues() throws Exception {
        AgentConfig c = AgentConfig.parse(with("--vip", "10.0.0.100", "--vip=10.0.0.101", "--label", "static",
                "--proxy-protocol", "--heartbeat-ms", "250", "--max-connections", "7"));
        assertEquals("ctl.example", c.controllerHost());
        assertEquals(7000, c.controllerPort());
        assertEquals(8081, c.upstream().getPort());
        assertEquals(Ipv4.parse("127.0.0.1"), c.serverIpv4());
        assertEquals(0L, c.serverMac(), "loopback has no MAC");
        assertEquals(List.of(Ipv4.parse("10.0.0.100"), Ipv4.parse("10.0.0.101")), c.vips());
        assertEquals("static", c.label());
        assertTrue(c.proxyProtocol());
        assertEquals(250, c.heartbeatMs());
        assertEquals(3000, c.controllerTimeoutMs());
        assertEquals(3000, c.commitTimeoutMs());
        assertEquals(7, c.maxConnections());
        assertEquals(600, c.idleTimeoutSeconds());

        AgentConfig d = AgentConfig.parse(BASE);
        assertEquals("default", d.label());
        assertEquals(500, d.heartbeatMs());
        assertEquals(10000, d.maxConnections());
        assertEquals(List.of(), d.vips());
        assertEquals(4, d.preconnect());
        assertEquals(0, AgentConfig.parse(with("--preconnect", "0")).preconnect());

        AgentConfig m = AgentConfig.parse("--controller", "h:1", "--upstream", "127.0.0.1:2", "--secret-file", "s",
                "--server-ip", "10.1.2.3", "--server-mac", "02:00:00:00:00:01");
        assertEquals(0x020000000001L, m.serverMac());

        AgentConfig lo = AgentConfig.parse("--controller", "h:1", "--upstream", "127.0.0.1:2", "--secret-file", "s",
                "--interface", "lo");
        assertEquals(Ipv4.parse("127.0.0.1"), lo.serverIpv4());
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() {
        String[][] cases = {
            {},
            {"--upstream", "127.0.0.1:8081", "--secret-file", "s", "--server-ip", "127.0.0.1"},
            with("--bogus", "1"),
            with("--heartbeat-ms", "abc"),
            with("--heartbeat-ms"),
            with("--vip", "10.0.0"),
            with("--max-connections", "-1"),
            with("--interface", "lo"),
            with("stray"),
            {"--controller", "nocolon", "--upstream", "127.0.0.1:8081", "--secret-file", "s", "--server-ip", "127.0.0.1"},
            {"--controller", "h:99999", "--upstream", "127.0.0.1:8081", "--secret-file", "s", "--server-ip", "127.0.0.1"},
            {"--controller", "h:1", "--upstream", "127.0.0.1:8081", "--secret-file", "s"},
            {"--controller", "h:1", "--upstream", "127.0.0.1:8081", "--secret-file", "s", "--server-ip", "192.0.2.1"},
            {"--controller", "h:1", "--upstream", "127.0.0.1:8081", "--secret-file", "s", "--interface", "nosuchif0"},
        };
        for (String[] args : cases) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            String[] lines = r.err().split("\n");
            assertTrue(lines[0].startsWith("baton-agent: "), r.err());
            assertTrue(lines[1].startsWith("usage: baton-agent"), r.err());
            assertThrows(UsageException.class, () -> AgentConfig.parse(args));
        }
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Run r = run("--help");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("usage: baton-agent"));
        assertTrue(r.out().contains("--proxy-protocol"));
    }

    @Test
    void secretFileOthersCanReadIsRefused() throws Exception {
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "abc\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        Run r = run("--controller", "127.0.0.1:1", "--upstream", "127.0.0.1:2", "--secret-file", secret.toString(),
                "--server-ip", "127.0.0.1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(secret.toString()) && r.err().contains("0644"), r.err());
    }
}
