package io.baton.dispatcher.request;

/**
 * Host = uri-host [ ":" port ] (RFC 9110 §7.2, RFC 3986 §3.2.2). Returns the host part,
 * ASCII-lower-cased, without port and without one trailing dot, so "Example.COM.:8080" and
 * "example.com" select the same rules.
 */
final class HostParser {
    private HostParser() {
    }

    /** @return the normalised host; "" for an empty value (allowed by RFC 9112 §3.2) */
    static String parse(String value) throws HeadRejection {
        if (value.isEmpty()) {
            return "";
        }
        String host;
        String rest;
        if (value.charAt(0) == '[') {
            int close = value.indexOf(']');
            if (close < 2) {
                throw bad("unterminated or empty IP-literal in host");
            }
            for (int i = 1; i < close; i++) {
                char c = value.charAt(i);
                if (!(Ascii.hexValue(c) >= 0 || c == ':' || c == '.')) {
                    throw bad("invalid character in IP-literal host");
                }
            }
            host = value.substring(0, close + 1);
            rest = value.substring(close + 1);
        } else {
            int colon = value.indexOf(':');
            host = colon < 0 ? value : value.substring(0, colon);
            rest = colon < 0 ? "" : value.substring(colon);
            if (host.isEmpty()) {
                throw bad("empty host with a port");
            }
            for (int i = 0; i < host.length(); i++) {
                if (!Ascii.isRegNameChar(host.charAt(i))) {
                    throw bad("invalid character in host");
                }
            }
            if (host.endsWith(".") && host.length() > 1) {
                host = host.substring(0, host.length() - 1);
            }
        }
        if (!rest.isEmpty()) {
            if (rest.charAt(0) != ':' || rest.length() > 6) {
                throw bad("invalid port in host");
            }
            for (int i = 1; i < rest.length(); i++) {
                if (!Ascii.isDigit(rest.charAt(i))) {
                    throw bad("invalid port in host");
                }
            }
        }
        return Ascii.lower(host);
    }

    private static HeadRejection bad(String detail) {
        return new HeadRejection(RejectReason.BAD_HOST, detail);
    }
}
