package io.baton.dispatcher.request;

/**
 * What {@link TlsClientHelloDecoder#offer} concluded so far; accessors that do not apply to the
 * kind throw {@link IllegalStateException}.
 */
public final class TlsHelloResult {
    public enum Kind { NEED_MORE, COMPLETE, REJECTED }

    private static final TlsHelloResult NEED_MORE = new TlsHelloResult(Kind.NEED_MORE, null, 0, null, null);

    private final Kind kind;
    private final TlsClientHello hello;
    private final int bytesRead;
    private final RejectReason reason;
    private final String detail;

    private TlsHelloResult(Kind kind, TlsClientHello hello, int bytesRead, RejectReason reason, String detail) {
        this.kind = kind;
        this.hello = hello;
        this.bytesRead = bytesRead;
        this.reason = reason;
        this.detail = detail;
    }

    static TlsHelloResult needMore() {
        return NEED_MORE;
    }

    static TlsHelloResult complete(TlsClientHello hello, int bytesRead) {
        return new TlsHelloResult(Kind.COMPLETE, hello, bytesRead, null, null);
    }

    static TlsHelloResult rejected(RejectReason reason, String detail) {
        return new TlsHelloResult(Kind.REJECTED, null, 0, reason, detail);
    }

    public Kind kind() { return kind; }

    public boolean isComplete() { return kind == Kind.COMPLETE; }

    public boolean isRejected() { return kind == Kind.REJECTED; }

    public TlsClientHello hello() {
        require(Kind.COMPLETE);
        return hello;
    }

    /** Bytes of the stream read up to the last byte of the ClientHello message. */
    public int bytesRead() {
        require(Kind.COMPLETE);
        return bytesRead;
    }

    public RejectReason reason() {
        require(Kind.REJECTED);
        return reason;
    }

    public String detail() {
        require(Kind.REJECTED);
        return detail;
    }

    private void require(Kind k) {
        if (kind != k) {
            throw new IllegalStateException("result is " + kind + ", not " + k);
        }
    }

    @Override
    public String toString() {
        switch (kind) {
            case COMPLETE:
                return "COMPLETE(" + bytesRead + " bytes: " + hello + ")";
            case REJECTED:
                return "REJECTED(" + reason + ": " + detail + ")";
            default:
                return "NEED_MORE";
        }
    }
}
