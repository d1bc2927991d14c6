package io.baton.agent;

/** A bad command line; the message is one line meant for the user. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
