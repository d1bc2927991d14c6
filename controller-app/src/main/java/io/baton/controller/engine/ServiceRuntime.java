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
 * per pool (a policy's own state, such as a round-robin cursor, lives in that instance).
 */
public final class ServiceRuntime {
    private final ServiceConfig config;
    private final RuleSet rules;
    private final Map<String, Policy> policies = new HashMap<>();

    public ServiceRuntime(ServiceConfig config) {
        this.config = config;
        this.rules = RuleSet.compile(config.rules(), config.defaultPool());
        for (PoolConfig p : config.pools()) {
            policies.put(p.name(), PolicyFactory.create(p.policy(), p.policyParams()));
        }
    }

    public ServiceConfig config() { return config; }
    public RuleSet rules() { return rules; }

    public Policy policy(String pool) {
        return policies.get(pool);
    }
}
