package io.baton.dispatcher.bench;

import io.baton.dispatcher.request.RequestInfo;
import io.baton.dispatcher.rules.ContentRule;
import io.baton.dispatcher.rules.RuleSet;
import java.util.List;
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

/** Rule lookups per second with 10, 100 and 1000 rules: the compiled RuleSet and a linear scan. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RuleSetBenchmark {
    @Param({"10", "100", "1000"})
    public int rules;

    private RuleSet ruleSet;
    private List<ContentRule> list;
    private RequestInfo[] requests;
    private int next;

    @Setup
    public void setUp() {
        list = BenchData.rules(rules);
        ruleSet = RuleSet.compile(list, "default");
        requests = BenchData.requests();
    }

    @Benchmark
    public String compiled() {
        return ruleSet.poolFor(requests[next++ & (BenchData.REQUESTS - 1)]);
    }

    @Benchmark
    public String linearScan() {
        RequestInfo r = requests[next++ & (BenchData.REQUESTS - 1)];
        for (ContentRule rule : list) {
            if (rule.matches(r)) {
                return rule.pool();
            }
        }
        return "default";
    }
}
