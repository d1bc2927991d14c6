package io.baton.handoff.protocol;

import java.util.Arrays;

/** Type 1, controller to agent, the first message after connect: a fresh random nonce. */
public final class Challenge extends HandoffMessage {

    private final byte[] controllerNonce;

    /** @param controllerNonce exactly {@value HandoffWire#NONCE_LENGTH} random bytes (copied) */
    public Challenge(byte[] controllerNonce) {
        this.controllerNonce = Checks.fixed(controllerNonce, HandoffWire.NONCE_LENGTH, "controllerNonce");
    }

    /** A copy of the controller's nonce. */
    public byte[] controllerNonce() {
        return controllerNonce.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.CHALLENGE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Challenge && Arrays.equals(controllerNonce, ((Challenge) o).controllerNonce);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(controllerNonce);
    }

    @Override
    public String toString() {
        return "Challenge[controllerNonce=" + Checks.shortHex(controllerNonce) + "]";
    }
}
