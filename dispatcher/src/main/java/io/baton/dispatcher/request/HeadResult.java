package io.baton.dispatcher.request;

/**
 * What {@link HttpHeadDecoder#offer} concluded so far. Accessors that do not apply to the kind
 * throw {@link IllegalStateException}: asking a NEED_MORE result for a head is a caller bug.
 */
public final class HeadResult {
    public enum Kind { NEED_MORE, COMPLETE, REJECTED }

    private static final HeadResult NEED_MORE = new HeadResult(Kind.NEED_MORE, null, 0, null, null);

    private final Kind kind;
    private final HttpRequestHead head;
    private final int headLength;
    private final RejectReason reason;
    private final String detail;

    private HeadResult(Kind kind, HttpRequestHead head, int headLength, RejectReason reason, String detail) {
        this.kind = kind;
        this.head = head;
        this.headLength = headLength;
        this.reason = reason;
        this.detail = detail;
    }

    public static HeadResult needMore() {
        return NEED_MORE;
    }

    public static HeadResult complete(HttpRequestHead head, int headLength) {
        if (head == null || headLength <= 0) {
            throw new IllegalArgumentException("complete needs a head and a positive length");
        }
        return new HeadResult(Kind.COMPLETE, head, headLength, null, null);
    }

    public static HeadResult rejected(RejectReason reason, String detail) {
        if (reason == null || detail == null) {
            throw new IllegalArgumentException("rejected needs a reason and a detail");
        }
        return new HeadResult(Kind.REJECTED, null, 0, reason, detail);
    }

    public Kind kind() { return kind; }

    public boolean isComplete() { return kind == Kind.COMPLETE; }

    public boolean isRejected() { return kind == Kind.REJECTED; }

    public HttpRequestHead head() {
        require(Kind.COMPLETE);
        return head;
    }

    /** Bytes of the stream up to and including the CRLFCRLF; the body (if any) starts here. */
    public int headLength() {
        require(Kind.COMPLETE);
        return headLength;
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
                return "COMPLETE(" + headLength + " bytes: " + head + ")";
            case REJECTED:
                return "REJECTED(" + reason + ": " + detail + ")";
            default:
                return "NEED_MORE";
        }
    }
}
