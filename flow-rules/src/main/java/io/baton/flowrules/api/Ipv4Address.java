package io.baton.flowrules.api;

/** An IPv4 address, immutable, held as its 32-bit value. */
public final class Ipv4Address implements Comparable<Ipv4Address> {
    private final int value;

    private Ipv4Address(int value) {
        this.value = value;
    }

    public static Ipv4Address of(int value) {
        return new Ipv4Address(value);
    }

    /** Reads four bytes at {@code offset}, network order. */
    public static Ipv4Address of(byte[] bytes, int offset) {
        return new Ipv4Address(((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16)
                | ((bytes[offset + 2] & 0xff) << 8) | (bytes[offset + 3] & 0xff));
    }

    /** Parses dotted-quad text; throws IllegalArgumentException with the reason. */
    public static Ipv4Address parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address (want a.b.c.d): " + text);
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address (octet > 255): " + text);
            }
            v = (v << 8) | octet;
        }
        return new Ipv4Address(v);
    }

    public int toInt() {
        return value;
    }

    public byte[] toBytes() {
        byte[] b = new byte[4];
        writeTo(b, 0);
        return b;
    }

    public void writeTo(byte[] dst, int offset) {
        dst[offset] = (byte) (value >>> 24);
        dst[offset + 1] = (byte) (value >>> 16);
        dst[offset + 2] = (byte) (value >>> 8);
        dst[offset + 3] = (byte) value;
    }

    @Override
    public int compareTo(Ipv4Address o) {
        return Integer.compareUnsigned(value, o.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ipv4Address && ((Ipv4Address) o).value == value;
    }

    @Override
    public int hashCode() {
        // Mixed: a HashMap indexes by the low bits, and servers on many subnets often share
        // their last byte (10.1.s.11 for every s), which treeified the registry's buckets.
        return value * 0x9E3779B1;
    }

    @Override
    public String toString() {
        return (value >>> 24) + "." + ((value >>> 16) & 0xff) + "." + ((value >>> 8) & 0xff) + "." + (value & 0xff);
    }
}
