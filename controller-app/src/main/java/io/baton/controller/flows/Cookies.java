package io.baton.controller.flows;

/**
 * Baton's flow cookies: the top 16 bits say "Baton", the next 4 the rule's kind, the low 44 bits
 * the connection id of per-connection rules. So a switch's flow table alone tells which rules
 * are Baton's, what they are for and which connection they serve (for removal and, later,
 * rebuilding the connection table after a restart).
 */
public final class Cookies {
    public static final long APP = 0xBA70L << 48;
    public static final long APP_MASK = 0xFFFFL << 48;
    public static final long KIND_MASK = APP_MASK | (0xFL << 44);
    private static final long ID_MASK = (1L << 44) - 1;
    /** Matches every rule of one connection, whatever its kind. */
    public static final long CONNECTION_MASK = APP_MASK | ID_MASK;

    /** What a Baton rule is for. */
    public enum Kind {
        BASE(0), L2(1), CLIENT_TO_SERVER(2), SERVER_TO_CLIENT(3),
        /** Drops what a server sends into a connection given up while it held it. */
        QUARANTINE(4);

        final long bits;

        Kind(int code) {
            this.bits = (long) code << 44;
        }
    }

    private Cookies() {
    }

    public static long of(Kind kind, long connectionId) {
        return APP | kind.bits | (connectionId & ID_MASK);
    }

    public static boolean isBaton(long cookie) {
        return (cookie & APP_MASK) == APP;
    }

    public static Kind kind(long cookie) {
        long bits = cookie & (0xFL << 44);
        for (Kind k : Kind.values()) {
            if (k.bits == bits) {
                return k;
            }
        }
        throw new IllegalArgumentException(String.format("not a Baton cookie kind: 0x%x", cookie));
    }

    public static long connectionId(long cookie) {
        return cookie & ID_MASK;
    }
}
