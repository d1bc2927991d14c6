package io.baton.topology;

import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Hosts learned from the packets switches send up: MAC to attachment point, IPv4 to MAC.
 * Bounded: beyond {@code maxHosts} the least recently seen host is forgotten. Not thread-safe:
 * one owner (the engine thread) learns and asks.
 */
public final class HostTable {
    private final int maxHosts;
    /** Access order, so the eldest entry is the least recently seen. */
    private final LinkedHashMap<MacAddress, HostLocation> locations;
    private final Map<Ipv4Address, MacAddress> macByIp = new HashMap<>();
    /** Moves whenever a host appears, moves or is forgotten: answers cached from {@link #locate} are stale then. */
    private long version;

    public HostTable(int maxHosts) {
        if (maxHosts < 1) {
            throw new IllegalArgumentException("maxHosts must be positive");
        }
        this.maxHosts = maxHosts;
        this.locations = new LinkedHashMap<>(16, 0.75f, true);
    }

    /**
     * Records that {@code mac} was seen entering {@code sw} on {@code port}. Returns true when
     * this is new or the host moved, which is when forwarding rules toward it are stale.
     */
    public boolean learn(MacAddress mac, SwitchId sw, int port) {
        if (mac.isMulticast() || mac.equals(MacAddress.ZERO)) {
            return false;
        }
        HostLocation loc = new HostLocation(sw, port);
        HostLocation old = locations.put(mac, loc);
        if (locations.size() > maxHosts) {
            evictEldest();
        }
        boolean changed = !loc.equals(old);
        if (changed) {
            version++;
        }
        return changed;
    }

    /** Records that {@code ip} is at {@code mac} (from ARP or IPv4 source addresses). */
    public void learnAddress(Ipv4Address ip, MacAddress mac) {
        if (ip.toInt() == 0 || mac.isMulticast()) {
            return;
        }
        if (locations.containsKey(mac) || macByIp.size() < maxHosts) {
            macByIp.put(ip, mac);
        }
    }

    public Optional<HostLocation> locate(MacAddress mac) {
        return Optional.ofNullable(locations.get(mac));
    }

    public Optional<MacAddress> macOf(Ipv4Address ip) {
        return Optional.ofNullable(macByIp.get(ip));
    }

    /** Forgets every host on a switch that went away. */
    public void forgetSwitch(SwitchId sw) {
        Iterator<Map.Entry<MacAddress, HostLocation>> it = locations.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().sw().equals(sw)) {
                it.remove();
                version++;
            }
        }
    }

    /** Changes whenever where some host is (or whether it is known) changed. */
    public long version() {
        return version;
    }

    public int size() {
        return locations.size();
    }

    private void evictEldest() {
        Iterator<Map.Entry<MacAddress, HostLocation>> it = locations.entrySet().iterator();
        MacAddress gone = it.next().getKey();
        it.remove();
        version++;
        macByIp.values().removeIf(gone::equals);
    }
}
