package io.baton.agent.repair;

import java.io.IOException;

/** A failed system call during TCP repair; the message names the call and errno. */
public final class RepairException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;
    private final transient SocketDiag.Held holder;

    public RepairException(String message, int errno) {
        this(message, errno, null);
    }

    RepairException(String message, int errno, SocketDiag.Held holder) {
        super(message);
        this.errno = errno;
        this.holder = holder;
    }

    /**
     * For a four-tuple this host still holds (EADDRNOTAVAIL at the rebuilt socket's connect): the
     * socket that holds it, or null (another failure, or none found).
     */
    public SocketDiag.Held holder() {
        return holder;
    }

    /** The errno of the failed call (0 if the failure was not a system call's). */
    public int errno() {
        return errno;
    }
}
