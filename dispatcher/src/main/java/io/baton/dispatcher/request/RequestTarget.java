package io.baton.dispatcher.request;

/**
 * The four forms of request-target (RFC 9112 §3.2), split into the parts rules match on.
 * The decoder has already checked that the text is visible ASCII without '#'.
 */
final class RequestTarget {
    private final String path;
    private final String query;
    private final String authorityHost;   // only for absolute-form and authority-form

    private RequestTarget(String path, String query, String authorityHost) {
        this.path = path;
        this.query = query;
        this.authorityHost = authorityHost;
    }

    String path() { return path; }

    String query() { return query; }

    String authorityHost() { return authorityHost; }

    static RequestTarget parse(String method, String target) throws HeadRejection {
        if (target.isEmpty()) {
            throw bad("empty request-target");
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '#') {
                throw bad("invalid character in request-target");
            }
        }
        char first = target.charAt(0);
        if (first == '/') {
            return originForm(target, null);
        }
        if (target.equals("*")) {
            if (!method.equals("OPTIONS")) {
                throw bad("asterisk-form is only for OPTIONS");
            }
            return new RequestTarget("*", "", null);
        }
        if (method.equals("CONNECT")) {
            // authority-form = uri-host ":" port (RFC 9112 §3.2.3)
            if (target.indexOf('/') >= 0 || target.indexOf('?') >= 0 || target.indexOf('@') >= 0) {
                throw bad("CONNECT target is not authority-form");
            }
            return new RequestTarget("", "", hostOf(target));
        }
        int schemeEnd = target.indexOf("://");
        if (schemeEnd <= 0 || !isScheme(target, schemeEnd)) {
            throw bad("request-target is neither origin-form nor absolute-form");
        }
        int authStart = schemeEnd + 3;
        int authEnd = authStart;
        while (authEnd < target.length() && target.charAt(authEnd) != '/' && target.charAt(authEnd) != '?') {
            authEnd++;
        }
        String authority = target.substring(authStart, authEnd);
        if (authority.indexOf('@') >= 0) {
            // RFC 9110 §4.2.4: userinfo in an http(s) URI is an error for a recipient.
            throw bad("userinfo in absolute-form target");
        }
        String rest = target.substring(authEnd);
        if (rest.isEmpty() || rest.charAt(0) == '?') {
            rest = "/" + rest;
        }
        return originForm(rest, hostOf(authority));
    }

    private static RequestTarget originForm(String target, String authorityHost) throws HeadRejection {
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        return new RequestTarget(PathNormalizer.normalize(rawPath), query, authorityHost);
    }

    private static String hostOf(String authority) throws HeadRejection {
        try {
            String h = HostParser.parse(authority);
            if (h.isEmpty()) {
                throw bad("empty authority in request-target");
            }
            return h;
        } catch (HeadRejection e) {
            throw bad("invalid authority in request-target: " + e.detail());
        }
    }

    /** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), RFC 3986 §3.1. */
    private static boolean isScheme(String s, int end) {
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!(alpha || (i > 0 && (Ascii.isDigit(c) || c == '+' || c == '-' || c == '.')))) {
                return false;
            }
        }
        return true;
    }

    private static HeadRejection bad(String detail) {
        return new HeadRejection(RejectReason.BAD_REQUEST_LINE, detail);
    }
}
