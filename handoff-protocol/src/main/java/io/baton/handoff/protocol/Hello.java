package io.baton.handoff.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * Type 2, agent to controller: the agent's nonce, its proof of the shared secret and what it
 * serves. {@code proof = HMAC-SHA256(secret, "baton-agent-v1" || controllerNonce || agentNonce ||
 * serverIpv4 (4 bytes, big-endian))}, see {@link HandoffAuth#agentProof}.
 */
public final class Hello extends HandoffMessage {

    /** Capability bit 0: the agent can take connections in nat mode. */
    public static final int CAP_NAT = 1;
    /** Capability bit 1: the agent can take connections in dsr mode (VIPs on its loopback). */
    public static final int CAP_DSR = 2;

    private final byte[] agentNonce;
    private final byte[] proof;
    private final int serverIpv4;
    private final long serverMac;
    private final String label;
    private final int capabilities;
    private final int[] vips;

    /**
     * @param agentNonce   {@value HandoffWire#NONCE_LENGTH} random bytes (copied)
     * @param proof        {@value HandoffWire#PROOF_LENGTH} bytes (copied)
     * @param serverIpv4   the server's own address on its data interface
     * @param serverMac    the data interface's MAC in the low 48 bits (0 if unknown)
     * @param label        server pool label, at most {@value HandoffWire#MAX_LABEL_BYTES} UTF-8 bytes
     * @param capabilities {@link #CAP_NAT} | {@link #CAP_DSR}
     * @param vips         VIPs configured on the server's loopback (copied), at most
     *                     {@value HandoffWire#MAX_VIPS}
     */
    public Hello(byte[] agentNonce, byte[] proof, int serverIpv4, long serverMac, String label,
                 int capabilities, int[] vips) {
        this.agentNonce = Checks.fixed(agentNonce, HandoffWire.NONCE_LENGTH, "agentNonce");
        this.proof = Checks.fixed(proof, HandoffWire.PROOF_LENGTH, "proof");
        this.serverIpv4 = serverIpv4;
        if ((serverMac & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("serverMac has more than 48 bits: " + Long.toHexString(serverMac));
        }
        this.serverMac = serverMac;
        this.label = Checks.string(label, HandoffWire.MAX_LABEL_BYTES, "label");
        this.capabilities = capabilities;
        if (vips == null) {
            throw new IllegalArgumentException("vips is null");
        }
        if (vips.length > HandoffWire.MAX_VIPS) {
            throw new IllegalArgumentException("more than " + HandoffWire.MAX_VIPS + " vips");
        }
        this.vips = vips.clone();
    }

    public byte[] agentNonce() {
        return agentNonce.clone();
    }

    public byte[] proof() {
        return proof.clone();
    }

    public int serverIpv4() {
        return serverIpv4;
    }

    public long serverMac() {
        return serverMac;
    }

    public String label() {
        return label;
    }

    public int capabilities() {
        return capabilities;
    }

    /** A copy of the VIP list. */
    public int[] vips() {
        return vips.clone();
    }

    @Override
    public MessageType type() {
        return MessageType.HELLO;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Hello)) {
            return false;
        }
        Hello h = (Hello) o;
        return serverIpv4 == h.serverIpv4 && serverMac == h.serverMac && capabilities == h.capabilities
                && label.equals(h.label) && Arrays.equals(agentNonce, h.agentNonce)
                && Arrays.equals(proof, h.proof) && Arrays.equals(vips, h.vips);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(serverIpv4, serverMac, label, capabilities);
        h = 31 * h + Arrays.hashCode(agentNonce);
        h = 31 * h + Arrays.hashCode(proof);
        return 31 * h + Arrays.hashCode(vips);
    }

    @Override
    public String toString() {
        StringBuilder v = new StringBuilder("[");
        for (int i = 0; i < vips.length; i++) {
            v.append(i == 0 ? "" : ",").append(Ipv4.toString(vips[i]));
        }
        v.append(']');
        return "Hello[agentNonce=" + Checks.shortHex(agentNonce) + ", proof=" + Checks.shortHex(proof)
                + ", serverIpv4=" + Ipv4.toString(serverIpv4) + ", serverMac=" + Ipv4.macToString(serverMac)
                + ", label=" + label + ", capabilities=" + capabilities + ", vips=" + v + "]";
    }
}
