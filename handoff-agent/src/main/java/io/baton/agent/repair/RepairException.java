package io.baton.agent.repair;

import java.io.IOException;

/** A failed system call during TCP repair; the message names the call and errno. */
public final class RepairException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    public RepairException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno of the failed call (0 if the failure was not a system call's). */
    public int errno() {
        return errno;
    }
}
