package io.baton.agent.repair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds this network namespace's TCP sockets of one four-tuple in {@code /proc/net/tcp}, to say
 * why a socket could not take that four-tuple (a client reused its port while this host still
 * holds the previous connection, in TIME_WAIT or closing). Only read on such a failure: the file
 * lists every socket, thousands of TIME_WAIT ones under load.
 */
final class SocketTable {
    private static final Path PROC_NET_TCP = Path.of("/proc/net/tcp");
    private static final String[] STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
        "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    private SocketTable() {
    }

    /**
     * ": held by a socket in STATE[, STATE...] here", or "" when none is listed (or the table
     * cannot be read: the caller's error stands on its own).
     */
    static String describe(int localIpv4, int localPort, int remoteIpv4, int remotePort) {
        return describe(PROC_NET_TCP, localIpv4, localPort, remoteIpv4, remotePort);
    }

    static String describe(Path table, int localIpv4, int localPort, int remoteIpv4, int remotePort) {
        String local = address(localIpv4, localPort);
        String remote = address(remoteIpv4, remotePort);
        StringBuilder states = new StringBuilder();
        try (Stream<String> lines = Files.lines(table)) {
            lines.skip(1).forEach(line -> {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].equals(local) && f[2].equals(remote)) {
                    states.append(states.length() == 0 ? "" : ", ").append(state(f[3]));
                }
            });
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
        return states.length() == 0 ? "" : ": held by a socket in " + states + " here";
    }

    /**
     * An address as /proc/net/tcp writes it: the address's four bytes, as they lie in memory, read
     * as one number of this machine's byte order; then the port; both in hex.
     */
    static String address(int ipv4, int port) {
        int asStored = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(ipv4) : ipv4;
        return String.format(Locale.ROOT, "%08X:%04X", asStored, port);
    }

    private static String state(String hex) {
        try {
            int s = Integer.parseInt(hex, 16);
            return s > 0 && s < STATES.length ? STATES[s] : "state " + hex;
        } catch (NumberFormatException e) {
            return "state " + hex;
        }
    }
}
