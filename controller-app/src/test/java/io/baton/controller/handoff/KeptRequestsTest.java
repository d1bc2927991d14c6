package io.baton.controller.handoff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeptRequestsTest {
    private static final long MS = 1_000_000L;

    @Test
    void aRequestIsKeptForTheWindowAndTakenOnce() {
        KeptRequests k = new KeptRequests(100, 1 << 20);
        byte[] get = "GET / HTTP/1.1\r\n\r\n".getBytes();
        assertTrue(k.keep(1, get, 0));
        assertTrue(k.has(1, 99 * MS));
        assertFalse(k.has(1, 100 * MS), "too old");
        assertArrayEquals(get, k.take(1, 50 * MS));
        assertNull(k.take(1, 50 * MS), "taken once");
        assertEquals(0, k.bytes());
    }

    @Test
    void oldRequestsExpireInCommitOrderAndForgottenOnesFreeTheirBytes() {
        KeptRequests k = new KeptRequests(100, 1 << 20);
        k.keep(1, new byte[10], 0);
        k.keep(2, new byte[20], 50 * MS);
        k.keep(3, new byte[30], 120 * MS); // expires 1 on the way
        assertEquals(2, k.size());
        assertFalse(k.has(1, 120 * MS));
        k.forget(2);
        assertEquals(30 + KeptRequests.ENTRY_OVERHEAD, k.bytes());
        k.expire(500 * MS);
        assertEquals(0, k.size());
        assertEquals(0, k.bytes());
    }

    @Test
    void whenFullTheOldestMakeRoomAndAZeroWindowKeepsNothing() {
        KeptRequests k = new KeptRequests(1000, 2 * (100 + KeptRequests.ENTRY_OVERHEAD));
        assertTrue(k.keep(1, new byte[100], 0));
        assertTrue(k.keep(2, new byte[100], 1));
        assertTrue(k.keep(3, new byte[1], 2), "full: the oldest goes");
        assertFalse(k.has(1, 2));
        assertTrue(k.has(2, 2) && k.has(3, 2));
        assertEquals(2, k.size());
        assertTrue(k.keep(2, new byte[100], 3), "kept again in place of itself");
        assertEquals(2, k.size());
        assertEquals(101 + 2 * KeptRequests.ENTRY_OVERHEAD, k.bytes());
        assertFalse(k.keep(4, new byte[2 * 100 + KeptRequests.ENTRY_OVERHEAD + 1], 4), "larger than the whole budget");
        assertFalse(new KeptRequests(0, 1 << 20).keep(1, new byte[1], 0));
    }
}
