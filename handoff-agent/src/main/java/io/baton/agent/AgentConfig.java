package io.baton.agent;

import io.baton.handoff.protocol.HandoffWire;
import io.baton.handoff.protocol.Ipv4;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * The agent's settings, parsed from its command line by {@link #parse}.
 *
 * @param controllerHost      controller host name or address
 * @param controllerPort      controller port
 * @param upstream            the local web server
 * @param secretFile          file holding the shared secret
 * @param serverIpv4          this server's address on the data network (binds nat-mode sockets)
 * @param serverMac           the data interface's MAC (0 if unknown)
 * @param label               pool label sent in Hello
 * @param vips                VIPs configured on the loopback (dsr mode)
 * @param proxyProtocol       send a PROXY v2 header to the web server first
 * @param heartbeatMs         heartbeat period
 * @param controllerTimeoutMs close and reconnect when nothing was heard from the controller this long
 * @param commitTimeoutMs     how long a ready handoff waits for its commit
 * @param maxConnections      most handed-off connections held at once (preparing + relaying)
 * @param idleTimeoutSeconds  close a relayed connection idle this long (0: never)
 * @param threads             event loop threads
 * @param preconnect          web server connections kept open ahead of need (0: connect per handoff)
 */
public record AgentConfig(String controllerHost, int controllerPort, InetSocketAddress upstream, Path secretFile,
                          int serverIpv4, long serverMac, String label, List<Integer> vips, boolean proxyProtocol,
                          int heartbeatMs, int controllerTimeoutMs, int commitTimeoutMs, int maxConnections,
                          int idleTimeoutSeconds, int threads, int preconnect) {

    public AgentConfig {
        vips = List.copyOf(vips);
    }

    /** Usage text, several lines. */
    public static String usage() {
        return String.join("\n",
                "usage: baton-agent --controller HOST:PORT --upstream HOST:PORT --secret-file FILE",
                "                   (--interface IF | --server-ip IP [--server-mac MAC]) [options]",
                "  --controller HOST:PORT      the Baton controller's agent port (required)",
                "  --upstream HOST:PORT        the local web server, e.g. 127.0.0.1:8081 (required)",
                "  --secret-file FILE          shared secret, mode 0600 or stricter (required)",
                "  --interface IF              data interface: server IP and MAC are taken from it",
                "  --server-ip IP              server IP on the data network (instead of --interface)",
                "  --server-mac MAC            its MAC (default: of the interface holding --server-ip)",
                "  --label NAME                server pool label (default: default)",
                "  --vip IP                    a VIP configured on this server's loopback, for dsr (repeatable)",
                "  --proxy-protocol            send a PROXY protocol v2 header to the web server first",
                "  --heartbeat-ms N            heartbeat period (default 500)",
                "  --controller-timeout-ms N   reconnect when the controller is silent this long",
                "                              (default max(3000, 4 x heartbeat))",
                "  --commit-timeout-ms N       wait this long for a commit after ready (default 3000)",
                "  --max-connections N         most handed-off connections at once (default 10000)",
                "  --idle-timeout-s N          close relayed connections idle this long, 0 = never (default 600)",
                "  --threads N                 event loop threads (default: number of cores)",
                "  --preconnect N              web server connections opened ahead of need, each used once",
                "                              within 5 s; 0 = connect per handoff (default 4)",
                "  --help                      this text");
    }

    /**
     * Parses the command line. Options take their value as the next argument or after '='.
     *
     * @throws UsageException with a one-line message on any bad or missing argument
     */
    public static AgentConfig parse(String... args) throws UsageException {
        String controller = null;
        String upstream = null;
        String secret = null;
        String iface = null;
        String serverIp = null;
        String serverMac = null;
        String label = "default";
        List<Integer> vips = new ArrayList<>();
        boolean proxy = false;
        int heartbeat = 500;
        Integer controllerTimeout = null;
        int commitTimeout = 3000;
        int maxConnections = 10000;
        int idle = 600;
        int threads = Runtime.getRuntime().availableProcessors();
        int preconnect = 4;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name = a;
            String inline = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                inline = a.substring(eq + 1);
            }
            if (name.equals("--proxy-protocol") || name.equals("--help")) {
                if (inline != null) {
                    throw new UsageException(name + " takes no value");
                }
                if (name.equals("--help")) {
                    throw new UsageException("--help");
                }
                proxy = true;
                continue;
            }
            if (!name.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String v;
            if (inline != null) {
                v = inline;
            } else if (i + 1 < args.length) {
                v = args[++i];
            } else {
                throw new UsageException(name + " needs a value");
            }
            switch (name) {
                case "--controller" -> controller = v;
                case "--upstream" -> upstream = v;
                case "--secret-file" -> secret = v;
                case "--interface" -> iface = v;
                case "--server-ip" -> serverIp = v;
                case "--server-mac" -> serverMac = v;
                case "--label" -> label = v;
                case "--vip" -> vips.add(ipv4(name, v));
                case "--heartbeat-ms" -> heartbeat = number(name, v, 10, 60_000);
                case "--controller-timeout-ms" -> controllerTimeout = number(name, v, 100, 3_600_000);
                case "--commit-timeout-ms" -> commitTimeout = number(name, v, 1, 600_000);
                case "--max-connections" -> maxConnections = number(name, v, 0, 10_000_000);
                case "--idle-timeout-s" -> idle = number(name, v, 0, 86_400 * 7);
                case "--threads" -> threads = number(name, v, 1, 1024);
                case "--preconnect" -> preconnect = number(name, v, 0, 1024);
                default -> throw new UsageException("unknown option " + name);
            }
        }
        if (controller == null) {
            throw new UsageException("--controller HOST:PORT is required");
        }
        if (upstream == null) {
            throw new UsageException("--upstream HOST:PORT is required");
        }
        if (secret == null) {
            throw new UsageException("--secret-file FILE is required");
        }
        if (label.isEmpty() || label.getBytes(StandardCharsets.UTF_8).length > HandoffWire.MAX_LABEL_BYTES) {
            throw new UsageException("--label must be 1.." + HandoffWire.MAX_LABEL_BYTES + " bytes");
        }
        String[] c = hostPort("--controller", controller);
        String[] u = hostPort("--upstream", upstream);
        InetSocketAddress upstreamAddr;
        try {
            upstreamAddr = new InetSocketAddress(InetAddress.getByName(u[0]), Integer.parseInt(u[1]));
        } catch (UnknownHostException e) {
            throw new UsageException("--upstream " + upstream + ": unknown host " + u[0]);
        }
        int ip;
        long mac;
        if (iface != null) {
            if (serverIp != null || serverMac != null) {
                throw new UsageException("give either --interface or --server-ip/--server-mac, not both");
            }
            NetworkInterface ni = networkInterface(iface);
            Inet4Address a4 = firstIpv4(ni);
            if (a4 == null) {
                throw new UsageException("--interface " + iface + " has no IPv4 address");
            }
            ip = Ipv4.fromBytes(a4.getAddress());
            mac = macOf(ni);
        } else if (serverIp != null) {
            ip = ipv4("--server-ip", serverIp);
            if (serverMac != null) {
                try {
                    mac = Ipv4.parseMac(serverMac);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--server-mac: " + e.getMessage());
                }
            } else {
                NetworkInterface ni;
                try {
                    ni = NetworkInterface.getByInetAddress(InetAddress.getByAddress(Ipv4.toBytes(ip)));
                } catch (IOException e) {
                    ni = null;
                }
                if (ni == null) {
                    throw new UsageException("--server-ip " + serverIp
                            + " is not an address of this host; give --server-mac too if that is intended");
                }
                mac = macOf(ni);
            }
        } else {
            throw new UsageException("give --interface IF, or --server-ip IP");
        }
        int ctlTimeout = controllerTimeout != null ? controllerTimeout : Math.max(3000, 4 * heartbeat);
        if (ctlTimeout <= heartbeat) {
            throw new UsageException("--controller-timeout-ms must be longer than --heartbeat-ms");
        }
        return new AgentConfig(c[0], Integer.parseInt(c[1]), upstreamAddr, Path.of(secret), ip, mac, label, vips,
                proxy, heartbeat, ctlTimeout, commitTimeout, maxConnections, idle, threads, preconnect);
    }

    private static String[] hostPort(String option, String v) throws UsageException {
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new UsageException(option + " must be HOST:PORT, not '" + v + "'");
        }
        String host = v.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        number(option + " port", v.substring(colon + 1), 1, 65535);
        return new String[] {host, v.substring(colon + 1)};
    }

    private static int number(String option, String v, int min, int max) throws UsageException {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(option + ": not a number: '" + v + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(option + ": " + n + " is not in " + min + ".." + max);
        }
        return n;
    }

    private static int ipv4(String option, String v) throws UsageException {
        try {
            return Ipv4.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": not an IPv4 address: '" + v + "'");
        }
    }

    private static NetworkInterface networkInterface(String name) throws UsageException {
        try {
            NetworkInterface ni = NetworkInterface.getByName(name);
            if (ni == null) {
                throw new UsageException("--interface " + name + ": no such interface");
            }
            return ni;
        } catch (SocketException e) {
            throw new UsageException("--interface " + name + ": " + e.getMessage());
        }
    }

    private static Inet4Address firstIpv4(NetworkInterface ni) {
        Enumeration<InetAddress> e = ni.getInetAddresses();
        while (e.hasMoreElements()) {
            InetAddress a = e.nextElement();
            if (a instanceof Inet4Address a4) {
                return a4;
            }
        }
        return null;
    }

    private static long macOf(NetworkInterface ni) throws UsageException {
        try {
            byte[] hw = ni.getHardwareAddress();
            return hw != null && hw.length == 6 ? Ipv4.macFromBytes(hw) : 0L;
        } catch (SocketException e) {
            throw new UsageException("cannot read the MAC of " + ni.getName() + ": " + e.getMessage());
        }
    }
}
