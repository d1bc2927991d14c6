package io.baton.controller.config;

/**
 * How many packets per second each switch may send the controller, by kind, enforced by the
 * switch with OpenFlow meters: a flood then costs the controller bounded work, and a SYN flood
 * cannot crowd out the handshakes of clients that already got their SYN-ACK. 0 means no limit.
 */
public final class PacketInLimits {
    private final int synPerSecond;
    private final int vipPerSecond;
    private final int otherPerSecond;

    public PacketInLimits(int synPerSecond, int vipPerSecond, int otherPerSecond) {
        this.synPerSecond = synPerSecond;
        this.vipPerSecond = vipPerSecond;
        this.otherPerSecond = otherPerSecond;
    }

    /**
     * Below what the controller handles on two cores (about 16,000 handoffs/s, each two or
     * three packets; SYNs cost less), so that a flood is cut at the switch, not in the controller.
     */
    public static PacketInLimits defaults() {
        return new PacketInLimits(20_000, 40_000, 10_000);
    }

    /** SYNs to a VIP (new connections, and what a SYN flood sends). */
    public int synPerSecond() { return synPerSecond; }
    /** Other packets to a VIP: handshake ACKs and request heads. */
    public int vipPerSecond() { return vipPerSecond; }
    /** Everything else the table-miss rule sends up (ARP, learning-switch traffic). */
    public int otherPerSecond() { return otherPerSecond; }
}
