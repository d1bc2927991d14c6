package io.baton.handoff.protocol;

/**
 * Base of every handoff protocol message. Subclasses are immutable, final and live in this
 * package only (the constructor is package-private).
 */
public abstract class HandoffMessage {

    HandoffMessage() {
    }

    /** The wire type of this message. */
    public abstract MessageType type();
}
