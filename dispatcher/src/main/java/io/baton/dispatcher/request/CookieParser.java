package io.baton.dispatcher.request;

import java.util.Map;

/**
 * Cookie header pairs (RFC 6265 §4.2.1, parsed leniently as §5.4 user agents produce them):
 * split on ';', trim whitespace, name before the first '=', one pair of surrounding DQUOTEs
 * removed from the value. Pairs without '=' or with an empty name are ignored. The first
 * occurrence of a name wins: RFC 6265 §5.4 puts cookies with longer paths first, i.e. the most
 * specific one.
 */
final class CookieParser {
    private CookieParser() {
    }

    static void parseInto(String header, Map<String, String> out) {
        int n = header.length();
        int i = 0;
        while (i < n) {
            int end = header.indexOf(';', i);
            if (end < 0) {
                end = n;
            }
            int eq = header.indexOf('=', i);
            if (eq >= 0 && eq < end) {
                String name = header.substring(i, eq).trim();
                String value = header.substring(eq + 1, end).trim();
                if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                    value = value.substring(1, value.length() - 1);
                }
                if (!name.isEmpty()) {
                    out.putIfAbsent(name, value);
                }
            }
            i = end + 1;
        }
    }
}
