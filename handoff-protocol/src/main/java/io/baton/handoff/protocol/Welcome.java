package io.baton.handoff.protocol;

import java.util.Arrays;

/**
 * Type 3, controller to agent: {@code proof = HMAC-SHA256(secret, "baton-controller-v1" ||
 * agentNonce || controllerNonce)}, see {@link HandoffAuth#controllerProof}.
 */
public final class Welcome extends HandoffMessage {

    private final byte[] proof;

    /** @param proof exactly {@value HandoffWire#PROOF_LENGTH} bytes (copied) */
    public Welcome(byte[] proof) {
        this.proof = Checks.fixed(proof, HandoffWire.PROOF_LENGTH, "proof");
    }

    /** A copy of the controller's proof. */
    public byte[] proof() {
        return proof.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.WELCOME;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Welcome && Arrays.equals(proof, ((Welcome) o).proof);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(proof);
    }

    @Override
    public String toString() {
        return "Welcome[proof=" + Checks.shortHex(proof) + "]";
    }
}
