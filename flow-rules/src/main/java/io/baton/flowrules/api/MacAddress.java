package io.baton.flowrules.api;

/** A 48-bit Ethernet address, immutable. */
public final class MacAddress {
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);
    public static final MacAddress ZERO = new MacAddress(0L);

    private final long value;

    private MacAddress(long value) {
        this.value = value & 0xffff_ffff_ffffL;
    }

    public static MacAddress of(long value) {
        return new MacAddress(value);
    }

    /** Reads six bytes at {@code offset}. */
    public static MacAddress of(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xff);
        }
        return new MacAddress(v);
    }

    /** Parses "aa:bb:cc:dd:ee:ff"; throws IllegalArgumentException with the reason. */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address (want six ':'-separated bytes): " + text);
        }
        long v = 0;
        for (String p : parts) {
            if (p.length() != 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            try {
                v = (v << 8) | Integer.parseInt(p, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
        }
        return new MacAddress(v);
    }

    public long toLong() {
        return value;
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        writeTo(b, 0);
        return b;
    }

    public void writeTo(byte[] dst, int offset) {
        for (int i = 0; i < 6; i++) {
            dst[offset + i] = (byte) (value >>> (40 - 8 * i));
        }
    }

    public boolean isBroadcast() {
        return value == BROADCAST.value;
    }

    /** Group bit set: broadcast or multicast. */
    public boolean isMulticast() {
        return (value & 0x0100_0000_0000L) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress && ((MacAddress) o).value == value;
    }

    @Override
    public int hashCode() {
        // Mixed, as Ipv4Address: MACs that differ in one middle byte must not share buckets.
        return Long.hashCode(value * 0x9E3779B97F4A7C15L);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            int b = (int) (value >>> (40 - 8 * i)) & 0xff;
            sb.append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
