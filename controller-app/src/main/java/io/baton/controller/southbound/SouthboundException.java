package io.baton.controller.southbound;

/** A southbound operation failed; the message says why (switch error, disconnect, timeout). */
public class SouthboundException extends RuntimeException {
    public SouthboundException(String message) {
        super(message);
    }

    public SouthboundException(String message, Throwable cause) {
        super(message, cause);
    }
}
