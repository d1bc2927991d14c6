package io.baton.dispatcher.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolViewTest {
    @Test
    void snapshotIsImmutableAndIndexedByName() {
        List<ServerView> list = new ArrayList<>();
        list.add(ServerView.builder("10.0.0.11").weight(3).tag("jvmRoute", "node1").build());
        list.add(ServerView.builder("10.0.0.12").build());
        PoolView p = PoolView.of("web", list, 42L);
        list.clear();
        assertEquals(2, p.servers().size(), "the view copies its input");
        assertThrows(UnsupportedOperationException.class, () -> p.servers().clear());
        assertEquals(Optional.of("node1"), p.server("10.0.0.11").get().tag("jvmRoute"));
        assertEquals(Optional.empty(), p.server("10.0.0.99"));
        assertEquals(42L, p.nowMillis());
    }

    @Test
    void duplicateNamesAreRejected() {
        ServerView a = ServerView.builder("a").build();
        assertThrows(IllegalArgumentException.class, () -> PoolView.of("web", List.of(a, a), 0));
    }

    @Test
    void aViewOfDistinctServersIsIndexedByNameWhenFirstAskedAndCannotBeChanged() {
        List<ServerView> list = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            list.add(ServerView.builder("10.0.1." + i).activeConnections(i).build());
        }
        PoolView p = PoolView.ofDistinct("web", list, 7L);
        assertEquals(100, p.servers().size());
        assertThrows(UnsupportedOperationException.class, () -> p.servers().clear());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, p.server("10.0.1." + i).orElseThrow().activeConnections());
        }
        assertEquals(Optional.empty(), p.server("10.0.0.1"));
        assertEquals(7L, p.nowMillis());
    }

    @Test
    void eligibilityFollowsStateAndCap() {
        assertTrue(ServerView.builder("a").build().acceptsNewConnections());
        assertTrue(ServerView.builder("a").maxConnections(2).activeConnections(1).build().acceptsNewConnections());
        assertFalse(ServerView.builder("a").maxConnections(2).activeConnections(2).build().acceptsNewConnections());
        assertTrue(ServerView.builder("a").maxConnections(0).activeConnections(1_000_000).build().acceptsNewConnections());
        for (ServerState s : new ServerState[] {ServerState.DRAINING, ServerState.DISABLED, ServerState.DOWN}) {
            assertFalse(ServerView.builder("a").state(s).build().acceptsNewConnections(), s.name());
        }
    }

    @Test
    void builderValidates() {
        assertThrows(IllegalArgumentException.class, () -> ServerView.builder("a").weight(0));
        assertThrows(IllegalArgumentException.class, () -> ServerView.builder("a").activeConnections(-1));
        assertThrows(IllegalArgumentException.class, () -> ServerView.builder("a").maxConnections(-1));
        assertThrows(IllegalArgumentException.class, () -> ServerView.builder().build());
        ServerView s = ServerView.builder("a").weight(2).tag("k", "v").build();
        assertEquals(s, s.toBuilder().build());
        assertEquals(5, s.toBuilder().activeConnections(5).build().activeConnections());
    }
}
