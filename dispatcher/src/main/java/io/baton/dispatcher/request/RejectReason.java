package io.baton.dispatcher.request;

/**
 * Why a connection is not handed to a server. One enum covers parsing (the first group) and
 * dispatch (the last group) so the engine logs and counts a single type.
 */
public enum RejectReason {
    /** The first bytes cannot start an HTTP/1.x request line (RFC 9112 §3: method = token, then SP). */
    NOT_HTTP,
    /** The head did not end (CRLFCRLF) within {@link HttpLimits#maxHeadBytes()}. */
    HEAD_TOO_LARGE,
    /** More header fields than {@link HttpLimits#maxHeaders()}. */
    TOO_MANY_HEADERS,
    /** The request-target is longer than {@link HttpLimits#maxTargetBytes()} (RFC 9112 §3.3: 414). */
    TARGET_TOO_LONG,
    /** The request line or request-target is malformed (RFC 9112 §3, RFC 3986). */
    BAD_REQUEST_LINE,
    /** A header field line is malformed, obs-folded, or a framing header is invalid (RFC 9112 §5, §6.3). */
    BAD_HEADER,
    /** Host is missing in HTTP/1.1, repeated, or not a valid uri-host[:port] (RFC 9112 §3.2). */
    BAD_HOST,
    /** A well-formed request line naming a protocol version other than HTTP/1.x. */
    UNSUPPORTED_VERSION,
    /** The first bytes are not a TLS handshake record (RFC 8446 §5.1). */
    NOT_TLS,
    /** The TLS ClientHello is malformed (RFC 8446 §4.1.2, RFC 6066 §3, RFC 7301 §3.1). */
    BAD_TLS_HELLO,
    /** The ClientHello is larger than the decoder's bound. */
    TLS_HELLO_TOO_LARGE,
    /** No pool or server by the name the configuration refers to (for the engine's use). */
    NO_SERVER,
    /** The pool has no server that may take new connections (none ACTIVE). */
    POOL_EMPTY,
    /** ACTIVE servers exist but every one is at its maxConnections. */
    POOL_SATURATED
}
