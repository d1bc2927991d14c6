package io.baton.dispatcher.request;

/** Character classes from RFC 9110 §5.6.2 (token) and RFC 3986 §2, as lookup tables. */
final class Ascii {
    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] REG_NAME = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
            REG_NAME[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
            REG_NAME[c] = true;
            REG_NAME[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        // reg-name = *( unreserved / pct-encoded / sub-delims ), RFC 3986 §3.2.2
        for (char c : "-._~!$&'()*+,;=%".toCharArray()) {
            REG_NAME[c] = true;
        }
    }

    private Ascii() {
    }

    /** tchar of RFC 9110 §5.6.2; {@code b} is a raw byte (negative for 0x80..0xFF). */
    static boolean isTchar(int b) {
        return TCHAR[b & 0xFF];
    }

    static boolean isRegNameChar(char c) {
        return c < 256 && REG_NAME[c];
    }

    static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** ASCII-only lower-casing: Locale-independent, unlike String.toLowerCase(). */
    static String lower(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                break;
            }
            i++;
        }
        if (i == n) {
            return s;
        }
        char[] out = s.toCharArray();
        for (; i < n; i++) {
            char c = out[i];
            if (c >= 'A' && c <= 'Z') {
                out[i] = (char) (c + 32);
            }
        }
        return new String(out);
    }
}
