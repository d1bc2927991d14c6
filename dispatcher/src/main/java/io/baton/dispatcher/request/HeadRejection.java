package io.baton.dispatcher.request;

/**
 * Internal signal from the parsing helpers to the decoder; never escapes the package's public
 * methods (the decoder turns it into a {@link HeadResult}). No stack trace: hostile input can
 * trigger it cheaply and often.
 */
final class HeadRejection extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    HeadRejection(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    RejectReason reason() {
        return reason;
    }

    String detail() {
        return getMessage();
    }
}
