package io.baton.karaf;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets a process listens on, read from Linux's {@code /proc}: the socket inodes among
 * the process's file descriptors, matched with the LISTEN rows of {@code net/tcp} and
 * {@code net/tcp6} (proc(5)). A structured answer, where {@code ss} output would need scraping.
 */
final class ProcessSockets {
    private static final String LISTEN = "0A";

    private ProcessSockets() {
    }

    static boolean supported() {
        return Files.isReadable(Path.of("/proc/self/net/tcp"));
    }

    static List<InetSocketAddress> listening(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[")) {
                    inodes.add(target.substring("socket:[".length(), target.length() - 1));
                }
            }
        }
        List<InetSocketAddress> result = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            List<String> rows = Files.readAllLines(Path.of("/proc", Long.toString(pid), "net", table));
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (f[3].equals(LISTEN) && inodes.contains(f[9])) {
                    result.add(address(f[1]));
                }
            }
        }
        return result;
    }

    /** {@code 0100007F:1F90}: the address as 32-bit words in host (little-endian) order, the port big-endian. */
    private static InetSocketAddress address(String hexAddressAndPort) throws IOException {
        String[] parts = hexAddressAndPort.split(":");
        String hex = parts[0];
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = (word * 4 + 3 - i) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(parts[1], 16));
    }
}
