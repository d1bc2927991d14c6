package io.baton.controller.config;

/** What an operator wants of a pool member; health is tracked apart, by the registry. */
public enum MemberState {
    /** Takes new connections while healthy. */
    ACTIVE,
    /** Keeps its connections, takes no new ones: the step before removal. */
    DRAINING,
    /** Taken out by an operator; takes no new connections. */
    DISABLED;

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
