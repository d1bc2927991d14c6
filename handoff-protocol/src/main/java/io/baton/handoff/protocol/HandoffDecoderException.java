package io.baton.handoff.protocol;

import io.netty.handler.codec.DecoderException;

/** A frame that could not be decoded; {@link #failure()} says why. */
public final class HandoffDecoderException extends DecoderException {

    private static final long serialVersionUID = 1L;

    private final DecodeFailure failure;

    public HandoffDecoderException(DecodeFailure failure, String message) {
        super(failure + ": " + message);
        this.failure = failure;
    }

    /** The kind of failure. */
    public DecodeFailure failure() {
        return failure;
    }
}
