package io.baton.controller.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.SwitchId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LingeringIndexTest {
    private static final int VIP = 0x0a000064;
    private long nextId;

    private Connection connection(int client, int port) {
        return new Connection(nextId++, new ConnectionKey(client, port, VIP, 80), SwitchId.of(1), 1, MacAddress.ZERO, 0);
    }

    /** Random puts and removals, checked against a HashMap after every step (the deletions shift entries back). */
    @Test
    void agreesWithAHashMapThroughGrowthAndDeletions() {
        LingeringIndex index = new LingeringIndex();
        Map<ConnectionKey, Connection> model = new HashMap<>();
        List<ConnectionKey> keys = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int step = 0; step < 200_000; step++) {
            // Few clients and ports: keys repeat (a port reused) and cluster in the table.
            int client = 0x0a000001 + random.nextInt(4);
            int port = 1024 + random.nextInt(6_000);
            ConnectionKey key = new ConnectionKey(client, port, VIP, 80);
            int op = random.nextInt(4);
            if (op < 2) {
                Connection c = connection(client, port);
                index.put(c);
                model.put(key, c);
                keys.add(key);
            } else if (op == 2) {
                assertSame(model.remove(key), index.remove(key), "remove by key " + key);
            } else if (!keys.isEmpty()) {
                ConnectionKey k = keys.get(random.nextInt(keys.size()));
                Connection there = model.get(k);
                if (there != null) {
                    // An older connection with the same key leaves the newer one in place.
                    index.remove(connection(k.clientIp(), k.clientPort()));
                    assertSame(there, index.get(k));
                    index.remove(there);
                    model.remove(k);
                }
            }
            assertEquals(model.size(), index.size());
            assertSame(model.get(key), index.get(key));
        }
        for (Map.Entry<ConnectionKey, Connection> e : model.entrySet()) {
            assertSame(e.getValue(), index.get(e.getKey()));
        }
        for (ConnectionKey k : keys) {
            index.remove(k);
        }
        assertEquals(0, index.size());
        assertNull(index.get(keys.get(0)));
    }
}
