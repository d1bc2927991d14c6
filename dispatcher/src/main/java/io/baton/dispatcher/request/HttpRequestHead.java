package io.baton.dispatcher.request;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed HTTP/1.x request head (RFC 9112 §2-§5), immutable. {@link #target()} is the raw text
 * of the request line; {@link #path()} is its decoded, normalised form for matching only.
 * Obtain one from {@link HttpHeadDecoder} or, in tests and tools, from {@link #builder()}, which
 * applies the same checks.
 */
public final class HttpRequestHead {
    private final String method;
    private final String target;
    private final String version;
    private final String path;
    private final String query;
    private final String host;                        // null when absent or empty
    private final Map<String, List<String>> headers;  // lower-case name -> values in order
    private final Map<String, String> cookies;
    private final int fieldCount;

    private HttpRequestHead(String method, String target, String version, String path, String query,
                            String host, Map<String, List<String>> headers, Map<String, String> cookies,
                            int fieldCount) {
        this.method = method;
        this.target = target;
        this.version = version;
        this.path = path;
        this.query = query;
        this.host = host;
        this.headers = headers;
        this.cookies = cookies;
        this.fieldCount = fieldCount;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The method token exactly as sent (methods are case-sensitive, RFC 9110 §9.1). */
    public String method() { return method; }

    /** The request-target exactly as sent. */
    public String target() { return target; }

    /**
     * The path for matching: percent-decoded, dot segments removed, "//" merged (see
     * {@link PathNormalizer}). "*" for the asterisk-form, "" for the authority-form (CONNECT).
     */
    public String path() { return path; }

    /** The raw query after the first '?', "" when the target has none. */
    public String query() { return query; }

    /** "HTTP/1.0" or "HTTP/1.1" (or another HTTP/1.x minor, as sent). */
    public String version() { return version; }

    /**
     * The request's host, lower-case, without port: from the target when it is absolute-form or
     * authority-form (RFC 9112 §3.2.2 says to ignore Host then), else from Host. Empty when
     * neither names one.
     */
    public Optional<String> host() { return Optional.ofNullable(host); }

    /**
     * The field's value, case-insensitive name; several lines of one field are combined with
     * ", " (RFC 9110 §5.3), except Cookie, combined with "; " (RFC 6265 §5.4).
     */
    public Optional<String> header(String name) {
        String key = Ascii.lower(name);
        List<String> values = headers.get(key);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() == 1) {
            return Optional.of(values.get(0));
        }
        return Optional.of(String.join(key.equals("cookie") ? "; " : ", ", values));
    }

    /** Every value of the field in order of arrival; empty list when absent. */
    public List<String> headers(String name) {
        List<String> values = headers.get(Ascii.lower(name));
        return values == null ? Collections.<String>emptyList() : values;
    }

    /** Lower-case field names in order of first arrival. */
    public List<String> headerNames() {
        return Collections.unmodifiableList(new ArrayList<>(headers.keySet()));
    }

    /** The number of field lines. */
    public int fieldCount() { return fieldCount; }

    /** The value of the named cookie (case-sensitive, RFC 6265 §5.4); the first one wins. */
    public Optional<String> cookie(String name) {
        return Optional.ofNullable(cookies.get(name));
    }

    public Map<String, String> cookies() { return cookies; }

    /** True for HTTP/1.1 and later minors, which require Host (RFC 9112 §3.2). */
    public boolean isHttp11OrLater() {
        return version.charAt(7) >= '1';
    }

    /**
     * True when sending this request twice does no harm: a safe method (RFC 9110 §9.2.1: GET,
     * HEAD, OPTIONS, TRACE) with no body announced (no Transfer-Encoding, Content-Length absent or
     * 0). A load balancer may then give it to a server before it is sure that server keeps the
     * connection, and to another one if it does not.
     */
    public boolean isSafeWithoutBody() {
        switch (method) {
            case "GET":
            case "HEAD":
            case "OPTIONS":
            case "TRACE":
                break;
            default:
                return false;
        }
        if (headers.containsKey("transfer-encoding")) {
            return false;
        }
        for (String length : headers("content-length")) {
            if (!length.trim().equals("0")) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return method + " " + target + " " + version + (host == null ? "" : " host=" + host)
                + " path=" + path;
    }

    /**
     * Builds the head from its parts, applying the request-target, Host and framing checks.
     * Shared by the decoder and the builder so both accept exactly the same heads.
     */
    static HttpRequestHead assemble(String method, String target, String version,
                                    List<String> names, List<String> values) throws HeadRejection {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            headers.computeIfAbsent(names.get(i), k -> new ArrayList<>(1)).add(values.get(i));
        }
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            e.setValue(Collections.unmodifiableList(e.getValue()));
        }
        RequestTarget t = RequestTarget.parse(method, target);
        boolean http11 = version.charAt(7) >= '1';

        List<String> hostValues = headers.get("host");
        String hostHeader = null;
        if (hostValues != null && hostValues.size() > 1) {
            throw new HeadRejection(RejectReason.BAD_HOST, "more than one Host field");
        }
        if (hostValues != null) {
            hostHeader = HostParser.parse(hostValues.get(0));
        } else if (http11) {
            throw new HeadRejection(RejectReason.BAD_HOST, "HTTP/1.1 request without Host");
        }
        String host = t.authorityHost() != null ? t.authorityHost() : hostHeader;
        if (host != null && host.isEmpty()) {
            host = null;
        }
        checkContentLength(headers.get("content-length"));

        Map<String, String> cookies = new LinkedHashMap<>();
        List<String> cookieLines = headers.get("cookie");
        if (cookieLines != null) {
            for (String line : cookieLines) {
                CookieParser.parseInto(line, cookies);
            }
        }
        return new HttpRequestHead(method, target, version, t.path(), t.query(), host,
                Collections.unmodifiableMap(headers), Collections.unmodifiableMap(cookies), names.size());
    }

    /** RFC 9112 §6.3 item 5: an invalid or inconsistent Content-Length is unrecoverable. */
    private static void checkContentLength(List<String> values) throws HeadRejection {
        if (values == null) {
            return;
        }
        String seen = null;
        for (String v : values) {
            for (String part : v.split(",", -1)) {
                String p = part.trim();
                if (p.isEmpty() || p.length() > 18) {
                    throw new HeadRejection(RejectReason.BAD_HEADER, "invalid Content-Length");
                }
                for (int i = 0; i < p.length(); i++) {
                    if (!Ascii.isDigit(p.charAt(i))) {
                        throw new HeadRejection(RejectReason.BAD_HEADER, "invalid Content-Length");
                    }
                }
                if (seen != null && !seen.equals(p)) {
                    throw new HeadRejection(RejectReason.BAD_HEADER, "conflicting Content-Length values");
                }
                seen = p;
            }
        }
    }

    /** Builds heads for tests and tools; {@link #build()} throws IllegalArgumentException on bad parts. */
    public static final class Builder {
        private String method = "GET";
        private String target = "/";
        private String version = "HTTP/1.1";
        private final List<String> names = new ArrayList<>();
        private final List<String> values = new ArrayList<>();

        private Builder() {
        }

        public Builder method(String m) {
            method = m;
            return this;
        }

        public Builder target(String t) {
            target = t;
            return this;
        }

        public Builder version(String v) {
            version = v;
            return this;
        }

        /** Adds a field line; the name is matched case-insensitively. */
        public Builder header(String name, String value) {
            names.add(Ascii.lower(name));
            values.add(value);
            return this;
        }

        /** Shorthand for {@code header("Host", host)}. */
        public Builder host(String host) {
            return header("Host", host);
        }

        private static boolean isToken(String s) {
            for (int i = 0; i < s.length(); i++) {
                if (s.charAt(i) > 127 || !Ascii.isTchar(s.charAt(i))) {
                    return false;
                }
            }
            return true;
        }

        public HttpRequestHead build() {
            if (method == null || method.isEmpty() || target == null || version == null) {
                throw new IllegalArgumentException("method, target and version are required");
            }
            if (!isToken(method)) {
                throw new IllegalArgumentException("method is not a token: " + method);
            }
            for (int i = 0; i < names.size(); i++) {
                String n = names.get(i);
                if (n.isEmpty() || !isToken(n)) {
                    throw new IllegalArgumentException("header name is not a token: " + n);
                }
                for (int j = 0; j < values.get(i).length(); j++) {
                    char c = values.get(i).charAt(j);
                    if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                        throw new IllegalArgumentException("invalid character in value of " + n);
                    }
                }
            }
            if (!version.matches("HTTP/1\\.[0-9]")) {
                throw new IllegalArgumentException("version must be HTTP/1.x: " + version);
            }
            try {
                return assemble(method, target, version, names, values);
            } catch (HeadRejection e) {
                throw new IllegalArgumentException(e.reason() + ": " + e.detail());
            }
        }
    }
}
