package io.baton.dispatcher.pool;

/** Administrative and health state of a server, as the engine sees it. */
public enum ServerState {
    /** Takes new connections. */
    ACTIVE,
    /** Finishing its connections; takes no new ones (planned removal). */
    DRAINING,
    /** Taken out by an operator; takes no new connections. */
    DISABLED,
    /** Failed its health checks; takes no new connections. */
    DOWN
}
