package io.baton.controller.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SynCookiesTest {
    private final SynCookies cookies = new SynCookies(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    private final ConnectionKey key = new ConnectionKey(0x0a000001, 40000, 0x0a000064, 80);

    @Test
    void aFreshCookieChecksAndCarriesTheMssIndex() {
        long now = 5_000_000;
        for (int idx = 0; idx < 4; idx++) {
            int isn = cookies.isn(key, 12345, idx, now);
            assertEquals(idx, cookies.check(key, 12345, isn, now + 1000));
        }
    }

    @Test
    void aCookieForAnotherConnectionOrIsnFails() {
        long now = 5_000_000;
        int isn = cookies.isn(key, 12345, 3, now);
        assertEquals(-1, cookies.check(new ConnectionKey(0x0a000001, 40001, 0x0a000064, 80), 12345, isn, now));
        assertEquals(-1, cookies.check(key, 12346, isn, now));
        assertEquals(-1, new SynCookies(new byte[] {9}).check(key, 12345, isn, now), "another secret");
    }

    @Test
    void cookiesExpire() {
        long now = 5_000_000;
        int isn = cookies.isn(key, 1, 0, now);
        assertEquals(0, cookies.check(key, 1, isn, now + 64_000));
        assertEquals(-1, cookies.check(key, 1, isn, now + 4 * 64_000));
    }

    @Test
    void timestampBitsCarrySackAndWindowScale() {
        int ts = SynCookies.encodeTsVal(0x12345678, true, 7);
        assertTrue(SynCookies.sackFromTsEcr(ts));
        assertEquals(7, SynCookies.windowScaleFromTsEcr(ts));
        int none = SynCookies.encodeTsVal(0x12345678, false, -1);
        assertFalse(SynCookies.sackFromTsEcr(none));
        assertEquals(-1, SynCookies.windowScaleFromTsEcr(none));
    }

    @Test
    void mssIsRoundedDownToTheTable() {
        assertEquals(1460, SynCookies.mssOf(SynCookies.mssIndex(1460)));
        assertEquals(1440, SynCookies.mssOf(SynCookies.mssIndex(1448)));
        assertEquals(536, SynCookies.mssOf(SynCookies.mssIndex(100)));
    }

    @Test
    void theSameSecretGivesTheSameCookiesInAnotherInstance() {
        long now = 5_000_000;
        byte[] secret = "handoff secret".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int isn = new SynCookies(secret).isn(key, 777, 2, now);
        assertEquals(2, new SynCookies(secret.clone()).check(key, 777, isn, now + 30_000), "a restarted controller");
    }

    @Test
    void theNeedsStateFlagComesBackWithTheMssIndex() {
        long now = 5_000_000;
        int isn = cookies.isn(key, 9, 3 + SynCookies.NEEDS_STATE, now);
        int index = cookies.check(key, 9, isn, now);
        assertEquals(3 + SynCookies.NEEDS_STATE, index);
        assertEquals(1460, SynCookies.mssOf(index));
        for (int idx = 0; idx < 2 * SynCookies.NEEDS_STATE; idx++) {
            int other = cookies.isn(key, 9, idx, now);
            assertEquals(idx, cookies.check(key, 9, other, now));
        }
    }
}
