package io.baton.controller.handoff;

import io.baton.controller.connection.ConnectionKey;
import io.baton.flowrules.api.SwitchId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The rules of closed connections, waiting out a fixed linger before they are removed (the last
 * ACKs and FINs in flight still pass), and found by connection key when a client reuses its port
 * at once.
 *
 * <p>Kept in primitive arrays, with no object per connection. At 33,000 handoffs/s, 66,000
 * connections linger at any time; held as Connection objects (216 B each with their key and
 * server binding, 14 MB in all) every young collection of the controller bench copied them, and
 * those 20 ms pauses were its p99 handoff latency. One timer serves them all: with one delay, the
 * order of closes is the order of deadlines, so the entries form a FIFO ring and the timer waits
 * for its head. Deadlines are rounded up to ticks, so one timer run hands over a batch, which the
 * caller removes with one barrier per switch. A second table, open addressing with linear probing
 * and deletion by backward shift, maps a key to its newest entry in the ring.
 *
 * <p>Engine thread only. Bounded: beyond {@code capacity} waiting, the oldest go at once.
 */
final class LingeringRules {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long TAKEN = -1;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int FIRST_LENGTH = 1024;

    /** The rules of these connections (by id, per switch) are to go now. */
    interface Removal extends Consumer<Map<SwitchId, List<Long>>> {
    }

    /** A lingering connection's rules, taken out for a reused port. */
    static final class Taken {
        final SwitchId sw;
        final long connectionId;
        /** When the switch confirmed that its forward rule is gone (nano clock), or 0 while it is in. */
        final long forwardGoneNanos;

        Taken(SwitchId sw, long connectionId, long forwardGoneNanos) {
            this.sw = sw;
            this.connectionId = connectionId;
            this.forwardGoneNanos = forwardGoneNanos;
        }
    }

    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoClock;
    private final long delayNanos;
    private final int capacity;
    private final Removal remove;
    private boolean timerSet;

    // The ring, oldest at head; its length is a power of two, doubled up to capacity.
    private long[] ids = new long[FIRST_LENGTH];
    /** Client address in the high half, VIP in the low half. */
    private long[] addresses = new long[FIRST_LENGTH];
    /** Client port in the high 16 bits, VIP port in the low 16. */
    private int[] ports = new int[FIRST_LENGTH];
    private long[] dueNanos = new long[FIRST_LENGTH];
    /** See {@link Taken#forwardGoneNanos}. */
    private long[] forwardGoneNanos = new long[FIRST_LENGTH];
    private SwitchId[] switches = new SwitchId[FIRST_LENGTH];
    private int head;
    private int size;

    /** Ring position + 1 of the newest entry per key; 0 is empty. Twice the ring's length. */
    private int[] index = new int[2 * FIRST_LENGTH];
    private int indexShift = 64 - Integer.numberOfTrailingZeros(2 * FIRST_LENGTH);

    /** {@code scheduler} must run its tasks on the thread that calls the other methods. */
    LingeringRules(ScheduledExecutorService scheduler, LongSupplier nanoClock, long delayMillis, int capacity,
                   Removal remove) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        this.scheduler = scheduler;
        this.nanoClock = nanoClock;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        this.capacity = capacity;
        this.remove = remove;
    }

    /** Connections waiting. */
    int waiting() {
        return size;
    }

    /** The closed connection {@code connectionId} with {@code key} has rules on {@code sw}: they go after the linger. */
    void add(SwitchId sw, long connectionId, ConnectionKey key) {
        if (size >= capacity) {
            Map<SwitchId, List<Long>> oldest = new HashMap<>();
            popHead(oldest);
            remove.accept(oldest);
        }
        if (size == ids.length) {
            grow();
        }
        int pos = (head + size) & (ids.length - 1);
        ids[pos] = connectionId;
        addresses[pos] = address(key);
        ports[pos] = ports(key);
        dueNanos[pos] = nanoClock.getAsLong() + delayNanos;
        forwardGoneNanos[pos] = 0;
        switches[pos] = sw;
        size++;
        index[find(addresses[pos], ports[pos])] = pos + 1; // in place of an older entry of the same key
        if (!timerSet) {
            setTimer(delayNanos);
        }
    }

    /** Takes out the newest connection lingering with {@code key}, whose rules the caller removes now; or null. */
    Taken take(ConnectionKey key) {
        int slot = find(address(key), ports(key));
        if (index[slot] == 0) {
            return null;
        }
        int pos = index[slot] - 1;
        Taken t = new Taken(switches[pos], ids[pos], forwardGoneNanos[pos]);
        ids[pos] = TAKEN; // stays in the ring until its turn; nothing to remove then
        deleteAt(slot);
        return t;
    }

    /**
     * The switch confirmed at {@code atNanos} that the forward rule of the lingering connection
     * {@code connectionId} is gone (its reply rule stays for the linger). Nothing if that
     * connection no longer lingers, or a newer one of the same key took its place.
     */
    void forwardRuleGone(ConnectionKey key, long connectionId, long atNanos) {
        int slot = find(address(key), ports(key));
        if (index[slot] != 0 && ids[index[slot] - 1] == connectionId) {
            forwardGoneNanos[index[slot] - 1] = atNanos;
        }
    }

    private void setTimer(long inNanos) {
        timerSet = true;
        long rounded = (Math.max(0, inNanos) / TICK_NANOS + 1) * TICK_NANOS;
        scheduler.schedule(this::due, rounded, TimeUnit.NANOSECONDS);
    }

    private void due() {
        timerSet = false;
        removeDue();
        if (size > 0) {
            setTimer(dueNanos[head] - nanoClock.getAsLong());
        }
    }

    /** Hands over, in one batch, the connections whose linger has ended. */
    void removeDue() {
        long now = nanoClock.getAsLong();
        Map<SwitchId, List<Long>> batch = new HashMap<>();
        while (size > 0 && now - dueNanos[head] >= 0) {
            popHead(batch);
        }
        if (!batch.isEmpty()) {
            remove.accept(batch);
        }
    }

    private void popHead(Map<SwitchId, List<Long>> into) {
        int pos = head;
        if (ids[pos] != TAKEN) {
            into.computeIfAbsent(switches[pos], k -> new ArrayList<>()).add(ids[pos]);
            int slot = find(addresses[pos], ports[pos]);
            if (index[slot] == pos + 1) {
                deleteAt(slot); // a newer connection of the same key keeps its own entry
            }
        }
        switches[pos] = null;
        head = (head + 1) & (ids.length - 1);
        size--;
    }

    private static long address(ConnectionKey key) {
        return (long) key.clientIp() << 32 | (key.vip() & 0xffffffffL);
    }

    private static int ports(ConnectionKey key) {
        return key.clientPort() << 16 | (key.vipPort() & 0xffff);
    }

    /** The index slot holding the key, or the empty slot where it would go. */
    private int find(long address, int port) {
        int mask = index.length - 1;
        int i = home(address, port);
        while (index[i] != 0) {
            int pos = index[i] - 1;
            if (addresses[pos] == address && ports[pos] == port) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return i;
    }

    private int home(long address, int port) {
        return (int) (((address * 31 + port) * GOLDEN) >>> indexShift);
    }

    /** Empties index slot {@code i}, moving back the entries after it that its emptiness would hide. */
    private void deleteAt(int i) {
        int mask = index.length - 1;
        int hole = i;
        for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int pos = index[j] - 1;
            int home = home(addresses[pos], ports[pos]);
            // The entry at j may fill the hole if the hole lies between its home and j.
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                index[hole] = index[j];
                hole = j;
            }
        }
        index[hole] = 0;
    }

    /** Doubles the ring, oldest first from position 0, and rebuilds the index over it. */
    private void grow() {
        int length = ids.length * 2;
        long[] newIds = new long[length];
        long[] newAddresses = new long[length];
        int[] newPorts = new int[length];
        long[] newDue = new long[length];
        long[] newForwardGone = new long[length];
        SwitchId[] newSwitches = new SwitchId[length];
        int[] oldIndex = index;
        int[] positions = new int[ids.length]; // old ring position -> new
        for (int k = 0; k < size; k++) {
            int from = (head + k) & (ids.length - 1);
            newIds[k] = ids[from];
            newAddresses[k] = addresses[from];
            newPorts[k] = ports[from];
            newDue[k] = dueNanos[from];
            newForwardGone[k] = forwardGoneNanos[from];
            newSwitches[k] = switches[from];
            positions[from] = k;
        }
        ids = newIds;
        addresses = newAddresses;
        ports = newPorts;
        dueNanos = newDue;
        forwardGoneNanos = newForwardGone;
        switches = newSwitches;
        head = 0;
        index = new int[2 * length];
        indexShift = 64 - Integer.numberOfTrailingZeros(2 * length);
        for (int entry : oldIndex) {
            if (entry != 0) {
                int pos = positions[entry - 1];
                index[find(addresses[pos], ports[pos])] = pos + 1;
            }
        }
    }
}
