package io.baton.handoff.protocol;

import java.util.List;

/**
 * Type 13, agent to controller, after each authentication: the handed-off connections the agent
 * relays now, so that a controller that restarted (or lost the agent for a while) can rebuild its
 * connection table from the servers, as the application-space cluster rebuilds its map by asking
 * them. A long list comes in several messages; the one with {@code last} set ends it.
 */
public final class LiveConnections extends HandoffMessage {

    /** One relayed connection, as the agent's socket sees it. */
    public static final class Entry {
        private final long handoffId;
        private final int clientIpv4;
        private final int clientPort;
        private final int localIpv4;
        private final int localPort;

        public Entry(long handoffId, int clientIpv4, int clientPort, int localIpv4, int localPort) {
            this.handoffId = handoffId;
            this.clientIpv4 = clientIpv4;
            this.clientPort = Checks.port(clientPort, "clientPort");
            this.localIpv4 = localIpv4;
            this.localPort = Checks.port(localPort, "localPort");
        }

        public long handoffId() { return handoffId; }
        public int clientIpv4() { return clientIpv4; }
        public int clientPort() { return clientPort; }
        public int localIpv4() { return localIpv4; }
        public int localPort() { return localPort; }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Entry)) {
                return false;
            }
            Entry e = (Entry) o;
            return handoffId == e.handoffId && clientIpv4 == e.clientIpv4 && clientPort == e.clientPort
                    && localIpv4 == e.localIpv4 && localPort == e.localPort;
        }

        @Override
        public int hashCode() {
            int h = Long.hashCode(handoffId);
            h = 31 * h + clientIpv4;
            h = 31 * h + clientPort;
            h = 31 * h + localIpv4;
            return 31 * h + localPort;
        }

        @Override
        public String toString() {
            return handoffId + ":" + Ipv4.toString(clientIpv4) + ":" + clientPort + "->"
                    + Ipv4.toString(localIpv4) + ":" + localPort;
        }
    }

    private final List<Entry> entries;
    private final boolean last;

    public LiveConnections(List<Entry> entries, boolean last) {
        if (entries.size() > HandoffWire.MAX_LIVE_ENTRIES) {
            throw new IllegalArgumentException(entries.size() + " entries, more than " + HandoffWire.MAX_LIVE_ENTRIES);
        }
        this.entries = List.copyOf(entries);
        this.last = last;
    }

    public List<Entry> entries() { return entries; }

    /** True on the message that ends the list. */
    public boolean last() { return last; }

    @Override
    public MessageType type() {
        return MessageType.LIVE_CONNECTIONS;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LiveConnections && last == ((LiveConnections) o).last
                && entries.equals(((LiveConnections) o).entries);
    }

    @Override
    public int hashCode() {
        return 31 * entries.hashCode() + Boolean.hashCode(last);
    }

    @Override
    public String toString() {
        return "LiveConnections[" + entries.size() + (last ? ", last" : ", more follow") + "]";
    }
}
