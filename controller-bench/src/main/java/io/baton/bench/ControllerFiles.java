package io.baton.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * What a controller under test is started with: a config file naming three free loopback
 * ports, and a secret and a token file of mode 0600 (the controller refuses others), in a
 * fresh temporary folder.
 */
record ControllerFiles(Path dir, Path config, byte[] secret, byte[] token,
                       InetSocketAddress openflow, InetSocketAddress handoff, InetSocketAddress rest) {

    static ControllerFiles create(BenchTopology topo, int maxHalfOpen, int maxConnections) throws IOException {
        Path dir = Files.createTempDirectory("baton-bench-");
        SecureRandom rnd = new SecureRandom();
        byte[] secret = hex(rnd);
        byte[] token = hex(rnd);
        writePrivate(dir.resolve("secret"), secret);
        writePrivate(dir.resolve("token"), token);
        int[] ports = freePorts(3);
        int of = ports[0];
        int ho = ports[1];
        int rest = ports[2];
        Path config = dir.resolve("baton.json");
        Files.writeString(config, topo.controllerConfig(of, ho, rest, "secret", "token", maxHalfOpen, maxConnections));
        return new ControllerFiles(dir, config, secret, token, new InetSocketAddress("127.0.0.1", of),
                new InetSocketAddress("127.0.0.1", ho), new InetSocketAddress("127.0.0.1", rest));
    }

    void delete() {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }

    private static byte[] hex(SecureRandom rnd) {
        byte[] b = new byte[24];
        rnd.nextBytes(b);
        return HexFormat.of().formatHex(b).getBytes(StandardCharsets.US_ASCII);
    }

    private static void writePrivate(Path p, byte[] content) throws IOException {
        Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(p, content);
    }

    /**
     * Ports free now, all different: each is held until all are chosen (picked one after another,
     * the kernel once gave the same port twice, and the controller's REST API took the OpenFlow
     * port). Another process could still take one before the controller binds it.
     */
    private static int[] freePorts(int n) throws IOException {
        ServerSocket[] held = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                held[i] = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ports[i] = held[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
