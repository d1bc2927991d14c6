package io.baton.flowrules.api;

/**
 * A packet-rate limit on a switch (an OpenFlow 1.3 meter with one drop band): packets of the
 * rules that name it beyond {@code packetsPerSecond}, after a burst of {@code burstPackets}, are
 * dropped by the switch. Baton puts one in front of each kind of packet-in, so that a flood costs
 * the controller a bounded amount of work. Immutable.
 */
public final class Meter {
    /** OpenFlow 1.3 meter ids above this are reserved (slowpath, controller, all). */
    public static final long MAX_ID = 0xffff_0000L;

    private final long id;
    private final long packetsPerSecond;
    private final long burstPackets;

    public Meter(long id, long packetsPerSecond, long burstPackets) {
        if (id < 1 || id > MAX_ID) {
            throw new IllegalArgumentException("meter id out of range 1.." + MAX_ID + ": " + id);
        }
        if (packetsPerSecond < 1 || packetsPerSecond > 0xffff_ffffL) {
            throw new IllegalArgumentException("meter rate out of range: " + packetsPerSecond);
        }
        if (burstPackets < 0 || burstPackets > 0xffff_ffffL) {
            throw new IllegalArgumentException("meter burst out of range: " + burstPackets);
        }
        this.id = id;
        this.packetsPerSecond = packetsPerSecond;
        this.burstPackets = burstPackets;
    }

    public long id() { return id; }
    public long packetsPerSecond() { return packetsPerSecond; }
    public long burstPackets() { return burstPackets; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Meter)) {
            return false;
        }
        Meter m = (Meter) o;
        return id == m.id && packetsPerSecond == m.packetsPerSecond && burstPackets == m.burstPackets;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 * 31 + Long.hashCode(packetsPerSecond) * 31 + Long.hashCode(burstPackets);
    }

    @Override
    public String toString() {
        return "meter{id=" + id + "," + packetsPerSecond + " pkt/s,burst=" + burstPackets + "}";
    }
}
