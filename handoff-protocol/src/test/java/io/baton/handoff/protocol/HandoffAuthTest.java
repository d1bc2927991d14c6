package io.baton.handoff.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HandoffAuthTest {

    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    private static byte[] range(int from) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    @Test
    void knownAnswers() {
        // Computed independently (Python hmac/hashlib); also given in README.md for other implementations.
        byte[] cn = range(0);
        byte[] an = range(32);
        assertEquals("0f8857d56e1e05a211194ae318332a3d1052dfc03cac111b08f79b0c20845dd7",
                hex(HandoffAuth.agentProof(SECRET, cn, an, Ipv4.parse("10.0.0.1"))));
        assertEquals("34603bd1c3c4e0285909bff38cf20d0971103551fd8aedcd164c41617e6010d0",
                hex(HandoffAuth.controllerProof(SECRET, an, cn)));
    }

    @Test
    void proofsVerifyAndWrongInputsFail() {
        byte[] cn = HandoffAuth.newNonce();
        byte[] an = HandoffAuth.newNonce();
        assertFalse(Arrays.equals(cn, an));
        int ip = Ipv4.parse("192.168.0.5");
        Hello hello = new Hello(an, HandoffAuth.agentProof(SECRET, cn, an, ip), ip, 0, "l", 1, new int[0]);
        assertTrue(HandoffAuth.verifyHello(SECRET, cn, hello));
        assertFalse(HandoffAuth.verifyHello("wrong".getBytes(StandardCharsets.UTF_8), cn, hello));
        assertFalse(HandoffAuth.verifyHello(SECRET, HandoffAuth.newNonce(), hello), "other controller nonce");
        Hello otherIp = new Hello(an, hello.proof(), ip + 1, 0, "l", 1, new int[0]);
        assertFalse(HandoffAuth.verifyHello(SECRET, cn, otherIp), "proof binds the server address");

        Welcome w = new Welcome(HandoffAuth.controllerProof(SECRET, an, cn));
        assertTrue(HandoffAuth.verifyWelcome(SECRET, an, cn, w));
        assertFalse(HandoffAuth.verifyWelcome("Secret".getBytes(StandardCharsets.UTF_8), an, cn, w));
        assertFalse(HandoffAuth.verifyWelcome(SECRET, cn, an, w), "nonces swapped");
        // An agent proof is never accepted as a controller proof (context strings differ).
        assertFalse(HandoffAuth.verify(HandoffAuth.controllerProof(SECRET, an, cn), hello.proof()));
    }

    @Test
    void verifyIsStrict() {
        byte[] a = HandoffAuth.newNonce();
        assertTrue(HandoffAuth.verify(a, a.clone()));
        assertFalse(HandoffAuth.verify(a, Arrays.copyOf(a, 31)));
        assertFalse(HandoffAuth.verify(null, a));
        assertFalse(HandoffAuth.verify(a, null));
        byte[] b = a.clone();
        b[31] ^= 1;
        assertFalse(HandoffAuth.verify(a, b));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> HandoffAuth.agentProof(new byte[0], range(0), range(1), 1));
        assertThrows(IllegalArgumentException.class, () -> HandoffAuth.agentProof(SECRET, new byte[31], range(1), 1));
        assertThrows(IllegalArgumentException.class, () -> HandoffAuth.controllerProof(SECRET, range(0), null));
        assertArrayEquals(HandoffAuth.controllerProof(SECRET, range(0), range(1)),
                HandoffAuth.controllerProof(SECRET, range(0), range(1)));
    }
}
