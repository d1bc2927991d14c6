package io.baton.dispatcher.policy;

import io.baton.dispatcher.request.HttpRequestHead;
import io.baton.dispatcher.request.RequestInfo;
import java.util.Optional;

/**
 * What a hashing policy hashes: "path", "host" (the SNI name for TLS), "header:NAME",
 * "cookie:NAME" or "source" (the client address). When the request lacks the chosen field
 * (no such header, or a TLS connection for path), {@link #extract} is empty and the caller
 * falls back to the client address, so the client still lands consistently somewhere.
 */
final class HashKey {
    private enum Kind { PATH, HOST, HEADER, COOKIE, SOURCE }

    private final Kind kind;
    private final String name;

    private HashKey(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    static HashKey parse(String spec) {
        if (spec.equals("path")) {
            return new HashKey(Kind.PATH, null);
        }
        if (spec.equals("host")) {
            return new HashKey(Kind.HOST, null);
        }
        if (spec.equals("source")) {
            return new HashKey(Kind.SOURCE, null);
        }
        if (spec.startsWith("header:") && spec.length() > 7) {
            return new HashKey(Kind.HEADER, spec.substring(7));
        }
        if (spec.startsWith("cookie:") && spec.length() > 7) {
            return new HashKey(Kind.COOKIE, spec.substring(7));
        }
        return null;
    }

    boolean isSource() {
        return kind == Kind.SOURCE;
    }

    Optional<String> extract(RequestInfo r) {
        if (kind == Kind.HOST) {
            return r.requestedHost();
        }
        Optional<HttpRequestHead> http = r.http();
        if (!http.isPresent()) {
            return Optional.empty();
        }
        HttpRequestHead h = http.get();
        switch (kind) {
            case PATH:
                return Optional.of(h.path());
            case HEADER:
                return h.header(name);
            case COOKIE:
                return h.cookie(name);
            default:
                return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return name == null ? kind.name().toLowerCase(java.util.Locale.ROOT) : kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + name;
    }
}
