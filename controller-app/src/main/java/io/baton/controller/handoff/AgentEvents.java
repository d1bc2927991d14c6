package io.baton.controller.handoff;

import io.baton.handoff.protocol.HandoffMessage;

/** What the handoff channel reports to the engine. Called on Netty threads: hand off quickly. */
public interface AgentEvents {
    /** The agent proved it knows the secret; the session may now carry handoffs. */
    void agentAuthenticated(AgentSession session);

    /** A handoff message on an authenticated session: ready, drop or closed. */
    void agentMessage(AgentSession session, HandoffMessage message);

    /** The session ended (closed, failed, timed out). */
    void agentGone(AgentSession session);
}
