package io.baton.handoff.protocol;

/** Why a frame could not be decoded. Every decode error carries one. */
public enum DecodeFailure {
    /** The length prefix announces more than {@value HandoffWire#MAX_FRAME_LENGTH} bytes. */
    FRAME_TOO_LONG,
    /** The length prefix is 0: not even a type byte. */
    EMPTY_FRAME,
    /** The type byte is not one of 1..10. */
    UNKNOWN_TYPE,
    /** The frame ends before the body does. */
    TRUNCATED,
    /** A length-prefixed field announces more than that field may hold. */
    OVERSIZE_FIELD,
    /** A field has a value the format does not allow (boolean not 0/1, nonce not 32 bytes, bad UTF-8). */
    INVALID_FIELD,
    /** The body is complete but the frame has bytes left over. */
    TRAILING_BYTES
}
