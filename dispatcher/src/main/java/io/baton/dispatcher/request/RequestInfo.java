package io.baton.dispatcher.request;

import java.util.Objects;
import java.util.Optional;

/**
 * What rules and policies see of a new connection: the client's address and either the HTTP
 * request head or the TLS ClientHello it opened with. Immutable.
 */
public final class RequestInfo {
    private final int clientIpv4;
    private final int clientPort;
    private final HttpRequestHead http;
    private final TlsClientHello tls;

    private RequestInfo(int clientIpv4, int clientPort, HttpRequestHead http, TlsClientHello tls) {
        if (clientPort < 0 || clientPort > 0xFFFF) {
            throw new IllegalArgumentException("clientPort out of range: " + clientPort);
        }
        this.clientIpv4 = clientIpv4;
        this.clientPort = clientPort;
        this.http = http;
        this.tls = tls;
    }

    public static RequestInfo http(int clientIpv4, int clientPort, HttpRequestHead head) {
        return new RequestInfo(clientIpv4, clientPort, Objects.requireNonNull(head, "head"), null);
    }

    public static RequestInfo tls(int clientIpv4, int clientPort, TlsClientHello hello) {
        return new RequestInfo(clientIpv4, clientPort, null, Objects.requireNonNull(hello, "hello"));
    }

    /** The client's IPv4 address, network order packed into an int (10.0.0.1 = 0x0A000001). */
    public int clientIpv4() { return clientIpv4; }

    public int clientPort() { return clientPort; }

    public Optional<HttpRequestHead> http() { return Optional.ofNullable(http); }

    public Optional<TlsClientHello> tls() { return Optional.ofNullable(tls); }

    /** The HTTP host, or for TLS the SNI name: the name the client asked for either way. */
    public Optional<String> requestedHost() {
        return http != null ? http.host() : tls.serverName();
    }

    /** Dotted-quad form of the client address, for log details. */
    public String clientAddress() {
        return ((clientIpv4 >>> 24) & 0xFF) + "." + ((clientIpv4 >>> 16) & 0xFF) + "."
                + ((clientIpv4 >>> 8) & 0xFF) + "." + (clientIpv4 & 0xFF);
    }

    @Override
    public String toString() {
        return clientAddress() + ":" + clientPort + " " + (http != null ? http : tls);
    }
}
