package io.baton.onos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.onosproject.net.DeviceId;
import org.onosproject.net.flow.DefaultFlowEntry;
import org.onosproject.net.flow.FlowEntry;
import org.onosproject.net.flow.FlowRule;
import org.onosproject.net.flow.FlowRuleEvent;
import org.onosproject.net.flow.FlowRuleListener;
import org.onosproject.net.flow.FlowRuleOperation;
import org.onosproject.net.flow.FlowRuleOperations;
import org.onosproject.net.flow.FlowRuleServiceAdapter;

/**
 * ONOS's FlowRuleService as a test sees it: every batch recorded; the batch confirmed
 * ({@code onSuccess}), refused ({@code onError}) or left unanswered, as the test says; confirmed
 * additions kept as flow entries (what getFlowEntries reports) and confirmed removals taken out.
 */
final class FakeFlowRuleService extends FlowRuleServiceAdapter {
    enum Answer { CONFIRM, REFUSE, SILENT }

    volatile Answer answer = Answer.CONFIRM;
    final List<FlowRuleOperations> batches = Collections.synchronizedList(new ArrayList<>());
    final List<FlowEntry> entries = new CopyOnWriteArrayList<>();
    final List<FlowRuleListener> listeners = new CopyOnWriteArrayList<>();

    @Override
    public void apply(FlowRuleOperations ops) {
        batches.add(ops);
        switch (answer) {
            case CONFIRM:
                for (java.util.Set<FlowRuleOperation> stage : ops.stages()) {
                    for (FlowRuleOperation op : stage) {
                        if (op.type() == FlowRuleOperation.Type.ADD) {
                            entries.add(new DefaultFlowEntry(op.rule(), FlowEntry.FlowEntryState.ADDED));
                        } else if (op.type() == FlowRuleOperation.Type.REMOVE) {
                            entries.removeIf(e -> e.equals(op.rule()));
                        }
                    }
                }
                ops.callback().onSuccess(ops);
                break;
            case REFUSE:
                ops.callback().onError(ops);
                break;
            default:
                break;
        }
    }

    /** The rules of every ADD operation so far, in order. */
    List<FlowRule> added() {
        return ofType(FlowRuleOperation.Type.ADD);
    }

    List<FlowRule> removed() {
        return ofType(FlowRuleOperation.Type.REMOVE);
    }

    private List<FlowRule> ofType(FlowRuleOperation.Type type) {
        List<FlowRule> out = new ArrayList<>();
        synchronized (batches) {
            for (FlowRuleOperations ops : batches) {
                for (java.util.Set<FlowRuleOperation> stage : ops.stages()) {
                    for (FlowRuleOperation op : stage) {
                        if (op.type() == type) {
                            out.add(op.rule());
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public Iterable<FlowEntry> getFlowEntries(DeviceId deviceId) {
        List<FlowEntry> out = new ArrayList<>();
        entries.stream().filter(e -> e.deviceId().equals(deviceId)).forEach(out::add);
        return out;
    }

    @Override
    public void addListener(FlowRuleListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(FlowRuleListener listener) {
        listeners.remove(listener);
    }

    /** Posts an event as ONOS's event dispatcher does: to the listeners that find it relevant. */
    void post(FlowRuleEvent event) {
        for (FlowRuleListener l : listeners) {
            if (l.isRelevant(event)) {
                l.event(event);
            }
        }
    }
}
