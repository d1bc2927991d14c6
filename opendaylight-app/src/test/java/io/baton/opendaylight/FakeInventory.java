package io.baton.opendaylight;

import io.baton.flowrules.api.SwitchId;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.inventory.rev130819.tables.table.Flow;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** A fake operational inventory: the switches and flows a test puts in. */
final class FakeInventory implements OperationalInventory {
    final Set<SwitchId> switches = ConcurrentHashMap.newKeySet();
    final Map<SwitchId, List<Flow>> flows = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Set<SwitchId>> connectedSwitches() {
        return CompletableFuture.completedFuture(Set.copyOf(switches));
    }

    @Override
    public CompletableFuture<List<Flow>> flows(SwitchId sw) {
        return CompletableFuture.completedFuture(flows.getOrDefault(sw, List.of()));
    }
}
