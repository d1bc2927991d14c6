package io.baton.handoff.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Constructor argument checks shared by the message classes. */
final class Checks {

    private Checks() {
    }

    static byte[] fixed(byte[] value, int length, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (value.length != length) {
            throw new IllegalArgumentException(name + " must be " + length + " bytes, not " + value.length);
        }
        return value.clone();
    }

    static byte[] bounded(byte[] value, int max, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        if (value.length > max) {
            throw new IllegalArgumentException(name + " is " + value.length + " bytes, more than " + max);
        }
        return value.clone();
    }

    static String string(String value, int maxUtf8Bytes, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " is null");
        }
        int n = value.getBytes(StandardCharsets.UTF_8).length;
        if (n > maxUtf8Bytes) {
            throw new IllegalArgumentException(name + " is " + n + " UTF-8 bytes, more than " + maxUtf8Bytes);
        }
        return value;
    }

    static int port(int value, String name) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + " " + value + " is not a TCP port");
        }
        return value;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >>> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    static String shortHex(byte[] b) {
        return b.length <= 8 ? hex(b) : hex(Arrays.copyOf(b, 8)) + "..";
    }
}
