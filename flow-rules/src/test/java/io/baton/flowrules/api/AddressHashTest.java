package io.baton.flowrules.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Addresses are hash keys on the engine's hot path (server registry, host table): ones that
 * differ in a middle byte only must still land in different buckets of a HashMap, which uses
 * the low bits of the spread hash.
 */
class AddressHashTest {
    /** The bucket java.util.HashMap picks in a table of {@code size} (a power of two). */
    private static int bucket(Object key, int size) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (size - 1);
    }

    @Test
    void serversOnManySubnetsSpreadOverTheTable() {
        Set<Integer> buckets = new HashSet<>();
        for (int subnet = 0; subnet < 64; subnet++) {
            for (int j = 0; j < 2; j++) {
                buckets.add(bucket(Ipv4Address.of((10 << 24) | (1 << 16) | (subnet << 8) | (11 + j)), 256));
            }
        }
        assertTrue(buckets.size() >= 64, "128 addresses in only " + buckets.size() + " of 256 buckets");
    }

    @Test
    void macsThatDifferInAMiddleByteSpreadOverTheTable() {
        Set<Integer> buckets = new HashSet<>();
        for (int sw = 0; sw < 64; sw++) {
            for (int c = 0; c < 32; c++) {
                buckets.add(bucket(MacAddress.of(0x0202_0000_0000L | ((long) sw << 8) | c), 4096));
            }
        }
        assertTrue(buckets.size() >= 1024, "2,048 MACs in only " + buckets.size() + " of 4,096 buckets");
    }

    @Test
    void equalAddressesHashAlike() {
        assertEquals(Ipv4Address.parse("10.0.0.1").hashCode(), Ipv4Address.parse("10.0.0.1").hashCode());
        assertEquals(MacAddress.parse("02:00:00:00:00:01").hashCode(), MacAddress.parse("02:00:00:00:00:01").hashCode());
        assertNotEquals(Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"));
    }
}
