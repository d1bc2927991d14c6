package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.request.RequestInfo;

/**
 * Chooses the server for one new connection. Implementations may keep state between calls
 * (round-robin position, LARD's target map) keyed by server name, so the pool's membership may
 * change freely between calls. The engine calls one instance from one thread at a time.
 * Implementations never throw on any request or pool; they reject instead.
 */
public interface Policy {
    Decision choose(RequestInfo request, PoolView pool);
}
