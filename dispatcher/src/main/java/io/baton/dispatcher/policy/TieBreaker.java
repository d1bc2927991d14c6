package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.ServerView;
import java.util.List;

/**
 * Round-robin among equally good servers. Without it, a least-loaded choice sends a burst of
 * connections (decided before the engine's counters move) to the first server in the list.
 */
final class TieBreaker {
    private int turn;

    ServerView pick(List<ServerView> tied) {
        ServerView s = tied.get(Math.floorMod(turn, tied.size()));
        turn++;
        return s;
    }
}
