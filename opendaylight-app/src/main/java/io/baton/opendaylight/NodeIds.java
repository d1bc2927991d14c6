package io.baton.opendaylight;

import io.baton.flowrules.api.SwitchId;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeConnectorId;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeConnectorRef;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeId;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.NodeRef;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.Nodes;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.node.NodeConnector;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.node.NodeConnectorKey;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.nodes.Node;
import org.opendaylight.yang.gen.v1.urn.opendaylight.inventory.rev130819.nodes.NodeKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.binding.ExactDataObjectStep;
import org.opendaylight.yangtools.binding.KeyStep;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * OpenDaylight's names for switches and ports, the way openflowplugin writes them: node
 * {@code openflow:<datapath id, unsigned decimal>}, port {@code openflow:<dpid>:<port number>}
 * (or a logical name such as {@code CONTROLLER}), and the inventory paths built from them
 * (InventoryDataServiceUtil in openflowplugin does the same).
 */
public final class NodeIds {
    static final String PREFIX = "openflow:";

    private NodeIds() {
    }

    public static NodeId nodeId(SwitchId sw) {
        return new NodeId(PREFIX + Long.toUnsignedString(sw.toLong()));
    }

    /** The switch of a node id; empty for anything that is not an OpenFlow node. */
    public static Optional<SwitchId> switchId(String nodeId) {
        if (nodeId == null || !nodeId.startsWith(PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(SwitchId.of(Long.parseUnsignedLong(nodeId.substring(PREFIX.length()))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static DataObjectIdentifier.WithKey<Node, NodeKey> nodePath(SwitchId sw) {
        return DataObjectIdentifier.builder(Nodes.class).child(Node.class, new NodeKey(nodeId(sw))).build();
    }

    public static NodeRef nodeRef(SwitchId sw) {
        return new NodeRef(nodePath(sw));
    }

    public static NodeConnectorId connectorId(SwitchId sw, String port) {
        return new NodeConnectorId(nodeId(sw).getValue() + ":" + port);
    }

    public static NodeConnectorRef connectorRef(SwitchId sw, String port) {
        return new NodeConnectorRef(nodePath(sw).toBuilder()
                .child(NodeConnector.class, new NodeConnectorKey(connectorId(sw, port))).build());
    }

    /**
     * The physical port number at the end of a node connector id ({@code openflow:1:3} or just
     * {@code 3}); empty for logical ports and anything unreadable.
     */
    public static OptionalInt portNumber(String connectorId) {
        if (connectorId == null) {
            return OptionalInt.empty();
        }
        String last = connectorId.substring(connectorId.lastIndexOf(':') + 1);
        try {
            long port = Long.parseLong(last);
            // Physical ports only; logical ones have names in ODL. Baton's port values are ints
            // (FlowAction.output), which covers every port a real switch numbers.
            return port >= 1 && port <= Integer.MAX_VALUE ? OptionalInt.of((int) port) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The switch a node reference points at; empty if it names no OpenFlow node. */
    public static Optional<SwitchId> switchId(NodeRef ref) {
        return ref == null ? Optional.empty() : key(ref.getValue(), NodeKey.class).flatMap(k -> switchId(k.getId().getValue()));
    }

    /** The node connector id a reference points at, if it points at one. */
    public static Optional<String> connectorId(NodeConnectorRef ref) {
        return ref == null ? Optional.empty()
                : key(ref.getValue(), NodeConnectorKey.class).map(k -> k.getId().getValue());
    }

    private static <K> Optional<K> key(Object path, Class<K> type) {
        if (!(path instanceof DataObjectIdentifier<?> id)) {
            return Optional.empty();
        }
        for (ExactDataObjectStep<?> step : id.steps()) {
            if (step instanceof KeyStep<?, ?> keyStep && type.isInstance(keyStep.key())) {
                return Optional.of(type.cast(keyStep.key()));
            }
        }
        return Optional.empty();
    }
}
