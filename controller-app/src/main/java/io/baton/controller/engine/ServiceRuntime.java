package io.baton.controller.engine;

import io.baton.controller.config.PoolConfig;
import io.baton.controller.config.ServiceConfig;
import io.baton.dispatcher.policy.Policy;
import io.baton.dispatcher.policy.PolicyFactory;
import io.baton.dispatcher.rules.RuleSet;

import java.util.HashMap;
import java.util.Map;

/**
 * A service ready to dispatch: its config, its compiled content rules, and one policy instance
 * per pool (a policy's own state, such as a round-robin cursor or remembered sessions, lives in
 * that instance).
 */
public final class ServiceRuntime {
    private final ServiceConfig config;
    private final RuleSet rules;
    private final Map<String, Policy> policies = new HashMap<>();
    /** Requests dispatched so far (engine thread); carried over when the service is edited. */
    private long dispatched;

    public ServiceRuntime(ServiceConfig config) {
        this(config, null);
    }

    /**
     * @param previous the runtime this one replaces, or null: a pool whose policy and parameters
     *                 did not change keeps its policy instance, so a pool edit does not reset
     *                 sessions, LARD assignments or round-robin position
     */
    public ServiceRuntime(ServiceConfig config, ServiceRuntime previous) {
        this.config = config;
        this.rules = RuleSet.compile(config.contentRules(), config.defaultPool());
        this.dispatched = previous == null ? 0 : previous.dispatched;
        for (PoolConfig p : config.pools()) {
            Policy kept = null;
            if (previous != null) {
                PoolConfig old = previous.config.pool(p.name()).orElse(null);
                if (old != null && old.samePolicy(p)) {
                    kept = previous.policies.get(p.name());
                }
            }
            policies.put(p.name(), kept != null ? kept : PolicyFactory.create(p.policy(), p.policyParams()));
        }
    }

    public ServiceConfig config() { return config; }
    public RuleSet rules() { return rules; }

    public long dispatched() { return dispatched; }

    public void countDispatch() { dispatched++; }

    public Policy policy(String pool) {
        return policies.get(pool);
    }
}
