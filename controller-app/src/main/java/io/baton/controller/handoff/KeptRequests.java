package io.baton.controller.handoff;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The request bytes of recently committed connections whose request is safe to repeat, kept so
 * that one whose server dies before answering can be handed to another server (see {@link
 * HandoffCoordinator#rescue}). A request is kept for {@code windowMillis} after its commit, or
 * until its connection ends; all of them together take at most {@code maxBytes} (counting a fixed
 * overhead per entry): when full, the oldest make room, so under a high rate the window shortens
 * rather than the newest going unprotected. Confined to the engine thread.
 */
final class KeptRequests {
    /** What an entry costs beyond its bytes: the map entry, the record, the array's header. */
    static final int ENTRY_OVERHEAD = 96;

    private static final class Kept {
        final byte[] data;
        final long keptAtNanos;

        Kept(byte[] data, long keptAtNanos) {
            this.data = data;
            this.keptAtNanos = keptAtNanos;
        }
    }

    private final long windowNanos;
    private final long maxBytes;
    /** In commit order, so the oldest are first to expire. */
    private final LinkedHashMap<Long, Kept> byId = new LinkedHashMap<>();
    private long bytes;

    KeptRequests(long windowMillis, long maxBytes) {
        this.windowNanos = windowMillis * 1_000_000L;
        this.maxBytes = maxBytes;
    }

    /** Keeps {@code data} (not copied) for connection {@code id}; false if off or larger than the whole budget. */
    boolean keep(long id, byte[] data, long nowNanos) {
        if (windowNanos <= 0) {
            return false;
        }
        expire(nowNanos);
        forget(id);
        long cost = cost(data);
        if (cost > maxBytes) {
            return false;
        }
        // Full: the oldest go first, being the least likely still to wait for an answer.
        Iterator<Map.Entry<Long, Kept>> it = byId.entrySet().iterator();
        while (bytes + cost > maxBytes) {
            bytes -= cost(it.next().getValue().data);
            it.remove();
        }
        byId.put(id, new Kept(data, nowNanos));
        bytes += cost;
        return true;
    }

    /** The request of connection {@code id}, removed, or null if none is kept (or it is too old). */
    byte[] take(long id, long nowNanos) {
        Kept k = byId.remove(id);
        if (k == null) {
            return null;
        }
        bytes -= cost(k.data);
        return nowNanos - k.keptAtNanos < windowNanos ? k.data : null;
    }

    /** Whether a request of connection {@code id} is kept and still young enough. */
    boolean has(long id, long nowNanos) {
        Kept k = byId.get(id);
        return k != null && nowNanos - k.keptAtNanos < windowNanos;
    }

    void forget(long id) {
        Kept k = byId.remove(id);
        if (k != null) {
            bytes -= cost(k.data);
        }
    }

    /** Drops every request kept longer than the window. */
    void expire(long nowNanos) {
        Iterator<Map.Entry<Long, Kept>> it = byId.entrySet().iterator();
        while (it.hasNext()) {
            Kept k = it.next().getValue();
            if (nowNanos - k.keptAtNanos < windowNanos) {
                return;
            }
            it.remove();
            bytes -= cost(k.data);
        }
    }

    int size() {
        return byId.size();
    }

    long bytes() {
        return bytes;
    }

    private static long cost(byte[] data) {
        return data.length + ENTRY_OVERHEAD;
    }
}
