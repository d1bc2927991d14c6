package io.baton.onos;

import io.baton.flowrules.api.SwitchId;
import org.onosproject.net.DeviceId;

import java.util.Optional;

/**
 * Baton's switch ids and ONOS's device ids. ONOS names an OpenFlow switch {@code of:} and its
 * datapath id in 16 hex digits; other schemes (P4Runtime, NETCONF, ...) are not OpenFlow
 * switches Baton can program with its OpenFlow 1.3 rules, so they have no SwitchId.
 */
public final class DeviceIds {
    private static final String SCHEME = "of";

    private DeviceIds() {
    }

    public static DeviceId of(SwitchId sw) {
        return DeviceId.deviceId(String.format("%s:%016x", SCHEME, sw.toLong()));
    }

    /** The switch for an {@code of:} device id; empty for any other scheme or a malformed dpid. */
    public static Optional<SwitchId> switchOf(DeviceId device) {
        String uri = device.toString();
        int colon = uri.indexOf(':');
        if (colon < 0 || !uri.substring(0, colon).equals(SCHEME)) {
            return Optional.empty();
        }
        String hex = uri.substring(colon + 1);
        if (hex.isEmpty() || hex.length() > 16) {
            return Optional.empty();
        }
        try {
            return Optional.of(SwitchId.of(Long.parseUnsignedLong(hex, 16)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
