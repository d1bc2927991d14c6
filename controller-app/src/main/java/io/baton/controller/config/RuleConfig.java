package io.baton.controller.config;

import io.baton.dispatcher.rules.ContentRule;

import java.util.List;
import java.util.Objects;

/**
 * A content rule as the operator wrote it: kept in this form so the REST API and the saved
 * config show it back unchanged; {@link #toContentRule()} compiles it for the dispatcher.
 */
public final class RuleConfig {
    /** A header condition: present when both {@code equals} and {@code regex} are null. */
    public static final class HeaderMatch {
        private final String name;
        private final String equals;
        private final String regex;

        public HeaderMatch(String name, String equals, String regex) {
            this.name = Objects.requireNonNull(name, "name");
            this.equals = equals;
            this.regex = regex;
        }

        public String name() { return name; }
        public String equalsValue() { return equals; }
        public String regex() { return regex; }

        @Override
        public boolean equals(Object o) {
            return o instanceof HeaderMatch && name.equals(((HeaderMatch) o).name)
                    && Objects.equals(equals, ((HeaderMatch) o).equals) && Objects.equals(regex, ((HeaderMatch) o).regex);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, equals, regex);
        }
    }

    /** A cookie condition: present when {@code equals} is null. */
    public static final class CookieMatch {
        private final String name;
        private final String equals;

        public CookieMatch(String name, String equals) {
            this.name = Objects.requireNonNull(name, "name");
            this.equals = equals;
        }

        public String name() { return name; }
        public String equalsValue() { return equals; }

        @Override
        public boolean equals(Object o) {
            return o instanceof CookieMatch && name.equals(((CookieMatch) o).name)
                    && Objects.equals(equals, ((CookieMatch) o).equals);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, equals);
        }
    }

    private final String name;
    private final String pool;
    private final String pathPrefix;
    private final String pathRegex;
    private final String host;
    private final String method;
    private final String sni;
    private final List<HeaderMatch> headers;
    private final List<CookieMatch> cookies;

    public RuleConfig(String name, String pool, String pathPrefix, String pathRegex, String host, String method,
                      String sni, List<HeaderMatch> headers, List<CookieMatch> cookies) {
        this.name = name;
        this.pool = Objects.requireNonNull(pool, "pool");
        this.pathPrefix = pathPrefix;
        this.pathRegex = pathRegex;
        this.host = host;
        this.method = method;
        this.sni = sni;
        this.headers = List.copyOf(headers);
        this.cookies = List.copyOf(cookies);
    }

    /** Null when the rule has no name. */
    public String name() { return name; }
    public String pool() { return pool; }
    public String pathPrefix() { return pathPrefix; }
    public String pathRegex() { return pathRegex; }
    public String host() { return host; }
    public String method() { return method; }
    public String sni() { return sni; }
    public List<HeaderMatch> headers() { return headers; }
    public List<CookieMatch> cookies() { return cookies; }

    /** The dispatcher's compiled rule; IllegalArgumentException names a condition that cannot hold. */
    public ContentRule toContentRule() {
        ContentRule.Builder b = ContentRule.builder().pool(pool);
        if (name != null) {
            b.name(name);
        }
        if (pathPrefix != null) {
            b.pathPrefix(pathPrefix);
        }
        if (pathRegex != null) {
            b.pathRegex(pathRegex);
        }
        if (host != null) {
            b.host(host);
        }
        if (method != null) {
            b.method(method);
        }
        if (sni != null) {
            b.sni(sni);
        }
        for (HeaderMatch h : headers) {
            if (h.equals != null) {
                b.headerEquals(h.name, h.equals);
            } else if (h.regex != null) {
                b.headerRegex(h.name, h.regex);
            } else {
                b.headerPresent(h.name);
            }
        }
        for (CookieMatch c : cookies) {
            if (c.equals != null) {
                b.cookieEquals(c.name, c.equals);
            } else {
                b.cookiePresent(c.name);
            }
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RuleConfig)) {
            return false;
        }
        RuleConfig r = (RuleConfig) o;
        return Objects.equals(name, r.name) && pool.equals(r.pool) && Objects.equals(pathPrefix, r.pathPrefix)
                && Objects.equals(pathRegex, r.pathRegex) && Objects.equals(host, r.host)
                && Objects.equals(method, r.method) && Objects.equals(sni, r.sni)
                && headers.equals(r.headers) && cookies.equals(r.cookies);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, pool, pathPrefix, pathRegex, host, method, sni, headers, cookies);
    }
}
