package io.baton.onos;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A Baton config, secret and token in a test's folder, the config listening on a free loopback port. */
final class TestFiles {
    static final String TOKEN = "test-token-0123456789";

    final Path config;
    final Path secret;
    final Path token;
    final int handoffPort;

    TestFiles(Path dir) throws IOException {
        secret = privateFile(dir.resolve("secret"), "0123456789abcdef0123456789abcdef");
        token = privateFile(dir.resolve("token"), TOKEN + "\n");
        handoffPort = freePort();
        config = dir.resolve("baton.json");
        Files.writeString(config, OnosEngineScenarioTest.CONFIG
                .replace("\"handoff\": {\"port\": 7070, \"secretFile\": \"/etc/baton/secret\"}",
                        "\"handoff\": {\"port\": " + handoffPort + ", \"secretFile\": \"" + secret + "\"}")
                .replace("\"tokenFile\": \"/etc/baton/token\"", "\"tokenFile\": \"" + token + "\""));
    }

    private static Path privateFile(Path p, String text) throws IOException {
        Files.writeString(p, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
