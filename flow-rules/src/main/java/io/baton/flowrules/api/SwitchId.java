package io.baton.flowrules.api;

/** An OpenFlow datapath id, platform-neutral. */
public final class SwitchId {
    private final long dpid;

    private SwitchId(long dpid) {
        this.dpid = dpid;
    }

    public static SwitchId of(long dpid) {
        return new SwitchId(dpid);
    }

    public long toLong() {
        return dpid;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SwitchId && ((SwitchId) o).dpid == dpid;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(dpid);
    }

    @Override
    public String toString() {
        return String.format("of:%016x", dpid);
    }
}
