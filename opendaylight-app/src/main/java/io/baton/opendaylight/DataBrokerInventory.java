package io.baton.opendaylight;

import io.baton.flowrules.api.SwitchId;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.ReadTransaction;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.inventory.rev130819.FlowCapableNode;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.inventory.rev130819.tables.Table;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.inventory.rev130819.tables.table.Flow;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.Nodes;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.nodes.Node;
import org.opendaylight.yangtools.binding.DataObject;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** The operational inventory read through the MD-SAL DataBroker, one read-only transaction a read. */
final class DataBrokerInventory implements OperationalInventory {
    private final DataBroker broker;

    DataBrokerInventory(DataBroker broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<Set<SwitchId>> connectedSwitches() {
        return read(DataObjectIdentifier.builder(Nodes.class).build()).thenApply(nodes -> {
            Set<SwitchId> out = new HashSet<>();
            nodes.ifPresent(n -> {
                for (Node node : n.nonnullNode().values()) {
                    NodeIds.switchId(node.getId().getValue()).ifPresent(out::add);
                }
            });
            return out;
        });
    }

    @Override
    public CompletableFuture<List<Flow>> flows(SwitchId sw) {
        return read(NodeIds.nodePath(sw).toBuilder().augmentation(FlowCapableNode.class).build()).thenApply(node -> {
            List<Flow> out = new ArrayList<>();
            node.ifPresent(n -> {
                for (Table t : n.nonnullTable().values()) {
                    out.addAll(t.nonnullFlow().values());
                }
            });
            return out;
        });
    }

    private <T extends DataObject> CompletableFuture<Optional<T>> read(DataObjectIdentifier<T> path) {
        try (ReadTransaction tx = broker.newReadOnlyTransaction()) {
            return Rpcs.toCompletable(tx.read(LogicalDatastoreType.OPERATIONAL, path));
        }
    }
}
