package io.baton.opendaylight;

import io.baton.flowrules.api.SwitchId;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.inventory.rev130819.tables.table.Flow;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The two reads of OpenDaylight's operational inventory the southbound needs: which switches are
 * there already (node notifications only tell of changes after we listen), and a switch's flows.
 * An interface so that the southbound can be driven in tests without a data store.
 */
public interface OperationalInventory {
    CompletableFuture<Set<SwitchId>> connectedSwitches();

    /** Every flow of every table of the switch, as openflowplugin last read it; empty if none. */
    CompletableFuture<List<Flow>> flows(SwitchId sw);
}
