package io.baton.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import org.junit.jupiter.api.Test;

class HostTableTest {
    private static final SwitchId S1 = SwitchId.of(1);
    private final MacAddress a = MacAddress.parse("00:00:00:00:00:01");
    private final MacAddress b = MacAddress.parse("00:00:00:00:00:02");

    @Test
    void learnsReportsMovesAndLocates() {
        HostTable t = new HostTable(10);
        assertTrue(t.learn(a, S1, 3), "first sighting is news");
        assertFalse(t.learn(a, S1, 3), "same place again is not");
        assertTrue(t.learn(a, S1, 4), "a move is news");
        assertEquals(new HostLocation(S1, 4), t.locate(a).orElseThrow());
    }

    @Test
    void ignoresMulticastSources() {
        HostTable t = new HostTable(10);
        assertFalse(t.learn(MacAddress.BROADCAST, S1, 1));
        assertEquals(0, t.size());
    }

    @Test
    void boundedByEvictingLeastRecentlySeen() {
        HostTable t = new HostTable(2);
        MacAddress c = MacAddress.parse("00:00:00:00:00:03");
        t.learn(a, S1, 1);
        t.learnAddress(Ipv4Address.parse("10.0.0.1"), a);
        t.learn(b, S1, 2);
        t.locate(a); // a is now more recent than b
        t.learn(c, S1, 3);
        assertEquals(2, t.size());
        assertTrue(t.locate(a).isPresent());
        assertFalse(t.locate(b).isPresent(), "b was least recently seen");
        assertEquals(a, t.macOf(Ipv4Address.parse("10.0.0.1")).orElseThrow());
    }

    @Test
    void forgetsHostsOfAGoneSwitch() {
        HostTable t = new HostTable(10);
        t.learn(a, S1, 1);
        t.learn(b, SwitchId.of(2), 1);
        t.forgetSwitch(S1);
        assertFalse(t.locate(a).isPresent());
        assertTrue(t.locate(b).isPresent());
    }

    /** Answers cached from locate() are checked against the version: it must move with every change. */
    @Test
    void theVersionMovesWithEveryChangeOfWhereHostsAre() {
        HostTable t = new HostTable(2);
        long v = t.version();
        t.learn(a, S1, 1);
        assertTrue(t.version() > v, "a new host");
        v = t.version();
        t.learn(a, S1, 1);
        t.locate(a);
        t.learnAddress(Ipv4Address.parse("10.0.0.1"), a);
        assertEquals(v, t.version(), "the same place again, a look-up, an address: no change of place");
        t.learn(a, S1, 2);
        assertTrue(t.version() > v, "a move");
        v = t.version();
        t.learn(b, SwitchId.of(2), 1);
        v = t.version();
        t.learn(MacAddress.parse("00:00:00:00:00:03"), S1, 3);
        assertTrue(t.version() > v, "a new host that evicts another");
        assertFalse(t.locate(a).isPresent(), "a was the least recently seen");
        v = t.version();
        t.forgetSwitch(SwitchId.of(9));
        assertEquals(v, t.version(), "nothing on that switch");
        t.forgetSwitch(SwitchId.of(2));
        assertTrue(t.version() > v, "b forgotten with its switch");
    }
}
