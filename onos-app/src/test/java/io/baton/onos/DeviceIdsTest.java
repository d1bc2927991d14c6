package io.baton.onos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.flowrules.api.SwitchId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.onosproject.net.DeviceId;

class DeviceIdsTest {
    @Test
    void anOpenFlowDpidBothWays() {
        assertEquals(DeviceId.deviceId("of:0000000000000001"), DeviceIds.of(SwitchId.of(1)));
        assertEquals(Optional.of(SwitchId.of(1)), DeviceIds.switchOf(DeviceId.deviceId("of:0000000000000001")));
        SwitchId high = SwitchId.of(0xffff_0000_0000_00abL);
        assertEquals(Optional.of(high), DeviceIds.switchOf(DeviceIds.of(high)), "dpids with the top bit set");
    }

    @Test
    void otherSchemesAndBadDpidsAreNoSwitch() {
        assertTrue(DeviceIds.switchOf(DeviceId.deviceId("device:bmv2:1")).isEmpty());
        assertTrue(DeviceIds.switchOf(DeviceId.deviceId("of:xyz")).isEmpty());
        assertTrue(DeviceIds.switchOf(DeviceId.deviceId("of:00000000000000000001")).isEmpty());
    }
}
