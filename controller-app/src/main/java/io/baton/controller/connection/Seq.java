package io.baton.controller.connection;

/** TCP sequence-number comparisons modulo 2^32 (RFC 793 §3.3). */
public final class Seq {
    private Seq() {
    }

    /** a < b in sequence space. */
    public static boolean before(int a, int b) {
        return a - b < 0;
    }

    /** a > b in sequence space. */
    public static boolean after(int a, int b) {
        return b - a < 0;
    }

    /** lo <= x < lo + len. */
    public static boolean inWindow(int x, int lo, int len) {
        return Integer.compareUnsigned(x - lo, len) < 0;
    }
}
