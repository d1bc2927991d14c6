package io.baton.dispatcher.bench;

import io.baton.dispatcher.policy.Decision;
import io.baton.dispatcher.policy.Policy;
import io.baton.dispatcher.policy.PolicyFactory;
import io.baton.dispatcher.pool.PoolView;
import io.baton.dispatcher.request.RequestInfo;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Decisions per second of each policy on a 16-server pool (one thread, as the engine calls it). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PolicyBenchmark {
    @Param({"round-robin", "weighted-round-robin", "least-connections", "weighted-least-connections",
            "source-hash", "consistent-hash", "lard", "lard-r", "cap", "session-affinity"})
    public String policy;

    private Policy p;
    private PoolView pool;
    private RequestInfo[] requests;
    private int next;

    @Setup
    public void setUp() {
        p = PolicyFactory.create(policy, policy.equals("consistent-hash")
                ? Collections.singletonMap("key", "path") : Collections.<String, String>emptyMap());
        pool = BenchData.pool();
        requests = BenchData.requests();
    }

    @Benchmark
    public Decision choose() {
        return p.choose(requests[next++ & (BenchData.REQUESTS - 1)], pool);
    }
}
