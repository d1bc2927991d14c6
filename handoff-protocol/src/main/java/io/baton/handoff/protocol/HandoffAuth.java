package io.baton.handoff.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual authentication by a shared secret, as pure functions.
 *
 * <pre>
 * controller -> agent  Challenge(controllerNonce)
 * agent -> controller  Hello(agentNonce, proof = HMAC-SHA256(secret, "baton-agent-v1" || controllerNonce || agentNonce || serverIpv4), ...)
 * controller -> agent  Welcome(proof = HMAC-SHA256(secret, "baton-controller-v1" || agentNonce || controllerNonce))
 * </pre>
 * Both nonces are 32 fresh bytes from {@link SecureRandom} per connection, so no proof can be
 * replayed on another connection. Comparisons are constant-time.
 */
public final class HandoffAuth {

    /** Context string of the agent's proof. */
    public static final String AGENT_CONTEXT = "baton-agent-v1";
    /** Context string of the controller's proof. */
    public static final String CONTROLLER_CONTEXT = "baton-controller-v1";

    private HandoffAuth() {
    }

    /** 32 random bytes from {@code random}. */
    public static byte[] newNonce(SecureRandom random) {
        byte[] n = new byte[HandoffWire.NONCE_LENGTH];
        random.nextBytes(n);
        return n;
    }

    /** 32 random bytes from a new {@link SecureRandom}. */
    public static byte[] newNonce() {
        return newNonce(new SecureRandom());
    }

    /** HMAC-SHA256(secret, "baton-agent-v1" || controllerNonce || agentNonce || serverIpv4 big-endian). */
    public static byte[] agentProof(byte[] secret, byte[] controllerNonce, byte[] agentNonce, int serverIpv4) {
        checkNonce(controllerNonce, "controllerNonce");
        checkNonce(agentNonce, "agentNonce");
        return hmac(secret, AGENT_CONTEXT.getBytes(StandardCharsets.US_ASCII), controllerNonce, agentNonce,
                Ipv4.toBytes(serverIpv4));
    }

    /** HMAC-SHA256(secret, "baton-controller-v1" || agentNonce || controllerNonce). */
    public static byte[] controllerProof(byte[] secret, byte[] agentNonce, byte[] controllerNonce) {
        checkNonce(agentNonce, "agentNonce");
        checkNonce(controllerNonce, "controllerNonce");
        return hmac(secret, CONTROLLER_CONTEXT.getBytes(StandardCharsets.US_ASCII), agentNonce, controllerNonce);
    }

    /** Constant-time comparison; false if either is null or the lengths differ. */
    public static boolean verify(byte[] expected, byte[] presented) {
        if (expected == null || presented == null || expected.length != presented.length) {
            return false;
        }
        return MessageDigest.isEqual(expected, presented);
    }

    /** Controller side: does {@code hello} prove the secret for the nonce we sent? */
    public static boolean verifyHello(byte[] secret, byte[] controllerNonce, Hello hello) {
        byte[] expected = agentProof(secret, controllerNonce, hello.agentNonce(), hello.serverIpv4());
        return verify(expected, hello.proof());
    }

    /** Agent side: does {@code welcome} prove the secret for these nonces? */
    public static boolean verifyWelcome(byte[] secret, byte[] agentNonce, byte[] controllerNonce, Welcome welcome) {
        byte[] expected = controllerProof(secret, agentNonce, controllerNonce);
        return verify(expected, welcome.proof());
    }

    private static void checkNonce(byte[] nonce, String name) {
        if (nonce == null || nonce.length != HandoffWire.NONCE_LENGTH) {
            throw new IllegalArgumentException(name + " must be " + HandoffWire.NONCE_LENGTH + " bytes");
        }
    }

    private static byte[] hmac(byte[] secret, byte[]... parts) {
        if (secret == null || secret.length == 0) {
            throw new IllegalArgumentException("empty secret");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            for (byte[] p : parts) {
                mac.update(p);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
