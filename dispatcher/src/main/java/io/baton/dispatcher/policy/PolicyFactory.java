package io.baton.dispatcher.policy;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Creates policies by configuration name. Every call returns a new instance with its own state.
 * Unknown names, unknown parameters and out-of-range values are IllegalArgumentExceptions that
 * name the offender.
 */
public final class PolicyFactory {
    /** Every name {@link #create} accepts. */
    public static final List<String> NAMES = Collections.unmodifiableList(Arrays.asList(
            "round-robin"));

    private PolicyFactory() {
    }

    public static Policy create(String name, Map<String, String> params) {
        if (name == null) {
            throw new IllegalArgumentException("policy name is required (one of " + NAMES + ")");
        }
        Params p = new Params(name, params);
        Policy policy;
        switch (name) {
            case "round-robin":
                policy = new RoundRobinPolicy();
                break;
            default:
                throw new IllegalArgumentException("unknown policy '" + name + "' (one of " + NAMES + ")");
        }
        p.requireNoOthers();
        return policy;
    }
}
