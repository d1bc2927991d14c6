package io.baton.dispatcher.policy;

import io.baton.dispatcher.pool.ServerView;
import java.util.List;

/**
 * Remembers the order of server names in the last pool seen, so a policy can keep per-server
 * state in arrays aligned with the pool (no hashing per server per decision) and rebuild them
 * only when membership or order changes. Comparing names costs little: the engine usually
 * passes the same String instances, and equals() checks identity first.
 */
final class ServerOrder {
    private String[] names = new String[0];

    /** The names of the last pool seen, in order (do not modify). */
    String[] names() {
        return names;
    }

    /** Whether {@code servers} differs from the previous call's; remembers the new order. */
    boolean changed(List<ServerView> servers) {
        int n = servers.size();
        if (n == names.length) {
            boolean same = true;
            for (int i = 0; i < n; i++) {
                if (!names[i].equals(servers.get(i).name())) {
                    same = false;
                    break;
                }
            }
            if (same) {
                return false;
            }
        }
        String[] fresh = new String[n];
        for (int i = 0; i < n; i++) {
            fresh[i] = servers.get(i).name();
        }
        names = fresh;
        return true;
    }
}
