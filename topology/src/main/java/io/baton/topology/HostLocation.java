package io.baton.topology;

import io.baton.flowrules.api.SwitchId;

import java.util.Objects;

/** Where a host attaches: a switch and one of its ports. */
public final class HostLocation {
    private final SwitchId sw;
    private final int port;

    public HostLocation(SwitchId sw, int port) {
        this.sw = Objects.requireNonNull(sw);
        this.port = port;
    }

    public SwitchId sw() { return sw; }
    public int port() { return port; }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostLocation && ((HostLocation) o).sw.equals(sw) && ((HostLocation) o).port == port;
    }

    @Override
    public int hashCode() {
        return sw.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return sw + "/" + port;
    }
}
