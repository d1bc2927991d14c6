package io.baton.handoff.protocol;

/** Helpers for the int/long forms of IPv4 and MAC addresses used in messages. */
public final class Ipv4 {

    private Ipv4() {
    }

    /** Dotted-quad text of an address held in an int (most significant byte first). */
    public static String toString(int address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "."
                + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /**
     * Parses a dotted-quad IPv4 address (exactly four decimal parts 0..255).
     *
     * @throws IllegalArgumentException if the text is not one
     */
    public static int parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no IPv4 address given");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int value = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            int b = 0;
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c < '0' || c > '9') {
                    throw new IllegalArgumentException("not an IPv4 address: " + text);
                }
                b = b * 10 + (c - '0');
            }
            if (b > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            value = (value << 8) | b;
        }
        return value;
    }

    /** The address as 4 bytes, network order. */
    public static byte[] toBytes(int address) {
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    /** The int form of 4 bytes in network order. */
    public static int fromBytes(byte[] b) {
        if (b == null || b.length != 4) {
            throw new IllegalArgumentException("an IPv4 address has 4 bytes");
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** aa:bb:cc:dd:ee:ff text of a MAC held in the low 48 bits of a long. */
    public static String macToString(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) ((mac >>> shift) & 0xff);
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    /**
     * Parses a MAC written as six hex pairs separated by ':' or '-'.
     *
     * @throws IllegalArgumentException if the text is not one
     */
    public static long parseMac(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no MAC address given");
        }
        String[] parts = text.split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long value = 0;
        for (String p : parts) {
            if (p.length() != 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            int hi = Character.digit(p.charAt(0), 16);
            int lo = Character.digit(p.charAt(1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            value = (value << 8) | (hi << 4) | lo;
        }
        return value;
    }

    /** The long form of a 6-byte hardware address. */
    public static long macFromBytes(byte[] b) {
        if (b == null || b.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes");
        }
        long value = 0;
        for (byte x : b) {
            value = (value << 8) | (x & 0xff);
        }
        return value;
    }
}
