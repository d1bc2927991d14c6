package io.baton.bench;

/** How one emulated client connection ended. */
enum Outcome {
    /** The agent got HandoffCommit: the handoff is done. */
    OK,
    /** The controller reset the client (handoff failed, timed out, or the segment was refused). */
    RESET,
    /** The controller answered the request with an HTTP error and a FIN (e.g. 503: no server). */
    REFUSED,
    /** The controller sent the agent HandoffAbort. */
    ABORTED,
    /** Nothing decisive within the bench's own per-connection timeout. */
    TIMEOUT
}
