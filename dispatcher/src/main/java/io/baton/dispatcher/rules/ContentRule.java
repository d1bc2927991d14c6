package io.baton.dispatcher.rules;

import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import io.baton.dispatcher.request.TlsClientHello;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One content rule: a conjunction of conditions and the pool to use when all hold. A rule
 * without conditions matches every connection. HTTP conditions (path, host, method, header,
 * cookie) never match a TLS connection and an SNI condition never matches an HTTP one, since
 * those fields do not exist there. Immutable; build with {@link #builder()}.
 *
 * <p>Paths are compared after {@link io.baton.dispatcher.request.PathNormalizer} has decoded
 * and normalised them; pathPrefix is a plain string prefix (nginx {@code location /static}),
 * pathRegex and header regexes are searched with {@link java.util.regex.Matcher#find()}, so
 * anchor them with ^ and $ when needed. A path regex that starts with ^ and a literal
 * ({@code ^/api/v[0-9]+/}) is indexed by that literal in {@link RuleSet} like a path prefix.
 */
public final class ContentRule {
    private final String name;
    private final String pool;
    private final String pathPrefix;
    private final RegexCondition pathRegex;
    private final NamePattern host;
    private final String method;
    private final List<HeaderCondition> headers;
    private final List<CookieCondition> cookies;
    private final NamePattern sni;
    private final boolean hasHttpConditions;

    private ContentRule(Builder b) {
        name = b.name;
        pool = b.pool;
        pathPrefix = b.pathPrefix;
        pathRegex = b.pathRegex;
        host = b.host;
        method = b.method;
        headers = Collections.unmodifiableList(new ArrayList<>(b.headers));
        cookies = Collections.unmodifiableList(new ArrayList<>(b.cookies));
        sni = b.sni;
        hasHttpConditions = pathPrefix != null || pathRegex != null || host != null || method != null
                || !headers.isEmpty() || !cookies.isEmpty();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String pool() { return pool; }

    /** A label for logs; defaults to a description of the conditions. */
    public String name() { return name != null ? name : describeConditions(); }

    public Optional<String> pathPrefix() { return Optional.ofNullable(pathPrefix); }

    public Optional<String> pathRegex() { return pathRegex == null ? Optional.empty() : Optional.of(pathRegex.pattern()); }

    /** The host pattern, lower-case ("*.example.com" or "www.example.com"). */
    public Optional<String> host() { return host == null ? Optional.empty() : Optional.of(host.toString()); }

    public Optional<String> method() { return Optional.ofNullable(method); }

    public Optional<String> sni() { return sni == null ? Optional.empty() : Optional.of(sni.toString()); }

    NamePattern hostPattern() { return host; }

    NamePattern sniPattern() { return sni; }

    /**
     * The longest literal text every path this rule matches starts with: its pathPrefix or its
     * path regex's anchored literal prefix, whichever is longer; null when it has neither.
     */
    String requiredPathPrefix() {
        String fromRegex = pathRegex == null ? "" : pathRegex.anchoredPrefix();
        if (pathPrefix == null) {
            return fromRegex.isEmpty() ? null : fromRegex;
        }
        return fromRegex.length() > pathPrefix.length() ? fromRegex : pathPrefix;
    }

    /** The first headerEquals condition, if any: an index key for {@link RuleSet}. */
    HeaderCondition firstHeaderEquals() {
        for (HeaderCondition c : headers) {
            if (c.equalsValue() != null) {
                return c;
            }
        }
        return null;
    }

    /** Whether every condition holds: the reference semantics {@link RuleSet} must reproduce. */
    public boolean matches(RequestInfo r) {
        Optional<HttpRequestHead> http = r.http();
        if (http.isPresent()) {
            return matchesHttp(http.get());
        }
        Optional<TlsClientHello> tls = r.tls();
        return tls.isPresent() && matchesTls(tls.get().serverName().orElse(null));
    }

    /** {@link #matches} for an HTTP connection with this head. */
    boolean matchesHttp(HttpRequestHead h) {
        return sni == null && httpConditionsHold(h);
    }

    /** {@link #matches} for a TLS connection whose server_name is {@code serverName} (null: none). */
    boolean matchesTls(String serverName) {
        if (hasHttpConditions) {
            return false;
        }
        return sni == null || (serverName != null && sni.matches(serverName));
    }

    private boolean httpConditionsHold(HttpRequestHead h) {
        if (method != null && !method.equals(h.method())) {
            return false;
        }
        if (host != null) {
            Optional<String> hh = h.host();
            if (!hh.isPresent() || !host.matches(hh.get())) {
                return false;
            }
        }
        String path = h.path();
        if (pathPrefix != null && !path.startsWith(pathPrefix)) {
            return false;
        }
        if (pathRegex != null && !pathRegex.find(path)) {
            return false;
        }
        for (HeaderCondition c : headers) {
            if (!c.matches(h)) {
                return false;
            }
        }
        for (CookieCondition c : cookies) {
            if (!c.matches(h)) {
                return false;
            }
        }
        return true;
    }

    private String describeConditions() {
        List<String> parts = new ArrayList<>();
        if (method != null) {
            parts.add("method=" + method);
        }
        if (host != null) {
            parts.add("host=" + host);
        }
        if (pathPrefix != null) {
            parts.add("pathPrefix=" + pathPrefix);
        }
        if (pathRegex != null) {
            parts.add("pathRegex=" + pathRegex.pattern());
        }
        for (HeaderCondition c : headers) {
            parts.add(c.toString());
        }
        for (CookieCondition c : cookies) {
            parts.add(c.toString());
        }
        if (sni != null) {
            parts.add("sni=" + sni);
        }
        return parts.isEmpty() ? "any" : String.join(" ", parts);
    }

    @Override
    public String toString() {
        return "rule[" + name() + " -> " + pool + "]";
    }

    /** A condition on a header field (name case-insensitive); values are the combined field value. */
    static final class HeaderCondition {
        private final String name;
        private final String equals;    // null unless an equality test
        private final RegexCondition regex;    // null unless a regex test

        HeaderCondition(String name, String equals, RegexCondition regex) {
            this.name = name;
            this.equals = equals;
            this.regex = regex;
        }

        String name() {
            return name;
        }

        String equalsValue() {
            return equals;
        }

        boolean matches(HttpRequestHead h) {
            Optional<String> v = h.header(name);
            if (!v.isPresent()) {
                return false;
            }
            if (equals != null) {
                return equals.equals(v.get());
            }
            return regex == null || regex.find(v.get());
        }

        @Override
        public String toString() {
            return "header:" + name + (equals != null ? "=" + equals : regex != null ? "~" + regex.pattern() : "");
        }
    }

    /** A condition on a cookie (name case-sensitive, RFC 6265 §5.4). */
    static final class CookieCondition {
        private final String name;
        private final String equals;

        CookieCondition(String name, String equals) {
            this.name = name;
            this.equals = equals;
        }

        boolean matches(HttpRequestHead h) {
            Optional<String> v = h.cookie(name);
            return v.isPresent() && (equals == null || equals.equals(v.get()));
        }

        @Override
        public String toString() {
            return "cookie:" + name + (equals != null ? "=" + equals : "");
        }
    }

    public static final class Builder {
        private String name;
        private String pool;
        private String pathPrefix;
        private RegexCondition pathRegex;
        private NamePattern host;
        private String method;
        private final List<HeaderCondition> headers = new ArrayList<>();
        private final List<CookieCondition> cookies = new ArrayList<>();
        private NamePattern sni;

        private Builder() {
        }

        public Builder name(String v) {
            name = v;
            return this;
        }

        /** The pool to use when the rule matches (required). */
        public Builder pool(String v) {
            pool = v;
            return this;
        }

        /** The normalised path starts with this string (case-sensitive). */
        public Builder pathPrefix(String v) {
            pathPrefix = Objects.requireNonNull(v, "pathPrefix");
            return this;
        }

        /** The normalised path contains a match of this regex. */
        public Builder pathRegex(String v) {
            pathRegex = compile("pathRegex", v);
            return this;
        }

        /** Host is exactly this name, or "*.suffix" for any subdomain of suffix (case-insensitive). */
        public Builder host(String v) {
            host = NamePattern.parse("host", v);
            return this;
        }

        /** The method is exactly this token (case-sensitive, RFC 9110 §9.1). */
        public Builder method(String v) {
            method = Objects.requireNonNull(v, "method");
            return this;
        }

        /** The header field is present. */
        public Builder headerPresent(String headerName) {
            headers.add(new HeaderCondition(requireName("header", headerName), null, null));
            return this;
        }

        /** The header's (combined) value equals this string exactly. */
        public Builder headerEquals(String headerName, String value) {
            headers.add(new HeaderCondition(requireName("header", headerName), Objects.requireNonNull(value, "value"), null));
            return this;
        }

        /** The header's (combined) value contains a match of this regex. */
        public Builder headerRegex(String headerName, String regex) {
            headers.add(new HeaderCondition(requireName("header", headerName), null, compile("headerRegex", regex)));
            return this;
        }

        /** The cookie is present. */
        public Builder cookiePresent(String cookieName) {
            cookies.add(new CookieCondition(requireName("cookie", cookieName), null));
            return this;
        }

        /** The cookie's value equals this string exactly. */
        public Builder cookieEquals(String cookieName, String value) {
            cookies.add(new CookieCondition(requireName("cookie", cookieName), Objects.requireNonNull(value, "value")));
            return this;
        }

        /** TLS server_name is exactly this name, or "*.suffix" (case-insensitive). */
        public Builder sni(String v) {
            sni = NamePattern.parse("sni", v);
            return this;
        }

        public ContentRule build() {
            if (pool == null || pool.isEmpty()) {
                throw new IllegalArgumentException("a content rule needs a pool");
            }
            boolean http = pathPrefix != null || pathRegex != null || host != null || method != null
                    || !headers.isEmpty() || !cookies.isEmpty();
            if (sni != null && http) {
                // One connection is either HTTP or TLS: such a rule could never match.
                throw new IllegalArgumentException("rule for pool '" + pool + "': sni cannot be combined with HTTP conditions");
            }
            return new ContentRule(this);
        }

        private static String requireName(String what, String n) {
            if (n == null || n.isEmpty()) {
                throw new IllegalArgumentException(what + " name must not be empty");
            }
            return what.equals("header") ? NamePattern.lower(n) : n;
        }

        private static RegexCondition compile(String what, String regex) {
            return RegexCondition.compile(what, Objects.requireNonNull(regex, what));
        }
    }
}
