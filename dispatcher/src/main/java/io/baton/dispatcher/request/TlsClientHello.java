package io.baton.dispatcher.request;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What a TLS ClientHello (RFC 8446 §4.1.2) tells a load balancer before any key exchange:
 * the server name (SNI, RFC 6066 §3) and the offered application protocols (ALPN, RFC 7301).
 * Immutable.
 */
public final class TlsClientHello {
    private final int legacyVersion;
    private final String serverName;
    private final List<String> alpnProtocols;
    private final List<Integer> supportedVersions;

    private TlsClientHello(Builder b) {
        legacyVersion = b.legacyVersion;
        serverName = b.serverName;
        alpnProtocols = Collections.unmodifiableList(new ArrayList<>(b.alpnProtocols));
        supportedVersions = Collections.unmodifiableList(new ArrayList<>(b.supportedVersions));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** legacy_version, e.g. 0x0303; TLS 1.3 announces itself in supported_versions instead. */
    public int legacyVersion() { return legacyVersion; }

    /** The host_name from server_name, lower-case, without trailing dot. */
    public Optional<String> serverName() { return Optional.ofNullable(serverName); }

    /** ALPN protocol names in client preference order, e.g. ["h2", "http/1.1"]. */
    public List<String> alpnProtocols() { return alpnProtocols; }

    /** supported_versions (RFC 8446 §4.2.1), e.g. [0x0304, 0x0303]; empty when absent. */
    public List<Integer> supportedVersions() { return supportedVersions; }

    @Override
    public String toString() {
        return "ClientHello{sni=" + serverName + " alpn=" + alpnProtocols + "}";
    }

    public static final class Builder {
        private int legacyVersion = 0x0303;
        private String serverName;
        private final List<String> alpnProtocols = new ArrayList<>();
        private final List<Integer> supportedVersions = new ArrayList<>();

        private Builder() {
        }

        public Builder legacyVersion(int v) {
            legacyVersion = v;
            return this;
        }

        /** Lower-cased and stripped of one trailing dot, as the decoder does. */
        public Builder serverName(String v) {
            if (v == null) {
                serverName = null;
                return this;
            }
            String s = Ascii.lower(v);
            serverName = s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
            return this;
        }

        public Builder addAlpn(String protocol) {
            alpnProtocols.add(protocol);
            return this;
        }

        public Builder addSupportedVersion(int v) {
            supportedVersions.add(v);
            return this;
        }

        public TlsClientHello build() {
            return new TlsClientHello(this);
        }
    }
}
