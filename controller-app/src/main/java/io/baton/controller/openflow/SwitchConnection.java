package io.baton.controller.openflow;

import io.baton.controller.southbound.SouthboundException;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import io.baton.flowrules.openflow.OpenFlow13Translator;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.concurrent.ScheduledFuture;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One switch that is up: owns its channel, allocates xids, and keeps the operations waiting for
 * the switch's answer (barrier-confirmed flow-mod batches, flow-stats requests), each with a
 * timeout. An ERROR naming an operation's xid fails that operation; a disconnect fails them all.
 *
 * <p>Threads: the public-facing methods may be called from any thread; they translate on the
 * caller's thread, then register and write on the channel's event loop, where all the pending
 * state lives, in batches with one flush each ({@link OutboundBatch}). Futures complete on the
 * event loop.
 */
final class SwitchConnection {
    private static final Logger LOG = LoggerFactory.getLogger(SwitchConnection.class);
    /** Room for the fixed header, in_port, buffer id, actions length and a few actions. */
    private static final int PACKET_OUT_OVERHEAD = 24 + 64;
    /** What a flow-mod or barrier counts against the output bound before it is encoded (as the size estimator says). */
    private static final int ESTIMATED_MESSAGE_BYTES = 128;

    /** Builds the message for one item of a batch, with the xid allocated for it. */
    interface XidMessageFactory<T> {
        OFMessage build(T item, long xid);
    }

    private final OpenFlowController controller;
    private final Counters counters;
    private final SwitchId id;
    private final Channel channel;
    private final OFFeaturesReply features;
    private final long requestTimeoutMillis;
    private final int maxPendingOps;
    private final int maxStatsEntries;
    private final long maxOutboundBytes;
    /** Everything written to the switch from caller threads goes through here, flushed once per batch. */
    private final OutboundBatch out;
    private final ChannelFutureListener countPacketOut;

    /** Wire xids are this counter's unsigned value; the handshake used 1..4. */
    private final AtomicInteger xids = new AtomicInteger(0x100);
    /** Operations accepted and not yet finished, including those still queued to the event loop. */
    private final AtomicInteger opsInFlight = new AtomicInteger();

    // Event loop only.
    private final Map<Long, PendingOp> pending = new HashMap<>();
    private boolean closed;

    SwitchConnection(OpenFlowController controller, SwitchId id, Channel channel, OFFeaturesReply features) {
        this.controller = controller;
        this.counters = controller.liveCounters();
        this.id = id;
        this.channel = channel;
        this.features = features;
        this.requestTimeoutMillis = controller.config().requestTimeout().toMillis();
        this.maxPendingOps = controller.config().maxPendingOpsPerSwitch();
        this.maxStatsEntries = controller.config().maxFlowStatsEntries();
        this.maxOutboundBytes = controller.config().maxOutboundBytesPerSwitch();
        this.out = new OutboundBatch(channel);
        this.countPacketOut = f -> {
            if (f.isSuccess()) {
                counters.packetOuts.increment();
            } else {
                counters.packetOutsDropped.increment();
            }
        };
    }

    SwitchId id() { return id; }
    Channel channel() { return channel; }
    OFFeaturesReply features() { return features; }

    /** Allocates {@code n} consecutive xids and returns the first (add i, mask to 32 bits). */
    private long allocateXids(int n) {
        return Integer.toUnsignedLong(xids.getAndAdd(n));
    }

    private static long xid(long base, int i) {
        return (base + i) & 0xffff_ffffL;
    }

    // ------------------------------------------------------------------------ caller threads

    /**
     * Bytes waiting for the switch, in Netty's outbound buffer or in the batch not yet handed to
     * it, are below the bound.
     */
    private boolean writable() {
        return channel.isWritable() && out.queuedBytes() < maxOutboundBytes;
    }

    /** Fire and forget; dropped and counted when the switch cannot take it now. */
    void sendPacket(PacketOut packet) {
        if (!channel.isActive() || !writable()) {
            counters.packetOutsDropped.increment();
            LOG.debug("switch {}: packet-out dropped ({})", id, channel.isActive() ? "output backlog full" : "closed");
            return;
        }
        if (packet.frame().length + PACKET_OUT_OVERHEAD + 16 * packet.actions().size() > 0xffff) {
            counters.packetOutsDropped.increment();
            LOG.warn("switch {}: packet-out dropped, frame of {} bytes does not fit an OpenFlow message", id,
                    packet.frame().length);
            return;
        }
        OFMessage msg = OpenFlow13Translator.toPacketOut(packet, allocateXids(1));
        out.submit(new OutboundBatch.Work() {
            @Override
            public void run() {
                channel.write(msg).addListener(countPacketOut);
            }

            @Override
            public void rejected() {
                counters.packetOutsDropped.increment();
            }
        }, PACKET_OUT_OVERHEAD + packet.frame().length);
    }

    /**
     * Writes one flow-mod per item, then a barrier, in one flush; completes on the barrier
     * reply, or fails on the first ERROR naming one of the flow-mods, on timeout or disconnect.
     */
    <T> CompletableFuture<Void> flowModsWithBarrier(String operation, List<T> items, XidMessageFactory<T> factory) {
        if (items.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        SouthboundException refused = reserve(operation);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        int n = items.size();
        long base = allocateXids(n + 1);
        List<OFMessage> msgs = new ArrayList<>(n + 1);
        try {
            for (int i = 0; i < n; i++) {
                msgs.add(factory.build(items.get(i), xid(base, i)));
            }
        } catch (RuntimeException e) {
            opsInFlight.decrementAndGet();
            return CompletableFuture.failedFuture(
                    new SouthboundException("switch " + id + ": cannot translate " + operation + ": " + e.getMessage(), e));
        }
        long barrierXid = xid(base, n);
        msgs.add(OpenFlow13Translator.FACTORY.buildBarrierRequest().setXid(barrierXid).build());
        BarrierOp op = new BarrierOp(operation, items, base, barrierXid);
        submit(op, msgs, n);
        return op.future;
    }

    /** One flow-stats multipart request; gathers replies until one without REPLY_MORE. */
    CompletableFuture<List<FlowStatsEntry>> flowStats(long cookie, long cookieMask) {
        String operation = String.format("flow stats (cookie 0x%x/0x%x)", cookie, cookieMask);
        SouthboundException refused = reserve(operation);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        long xid = allocateXids(1);
        StatsOp op = new StatsOp(operation, xid);
        submit(op, Collections.singletonList(OpenFlow13Translator.toFlowStatsRequest(cookie, cookieMask, xid)), 0);
        return op.future;
    }

    private SouthboundException reserve(String operation) {
        if (!channel.isActive()) {
            return new SouthboundException("switch " + id + " is not connected (" + operation + ")");
        }
        if (!writable()) {
            return new SouthboundException("switch " + id + ": output backlog full, " + operation + " refused");
        }
        if (opsInFlight.incrementAndGet() > maxPendingOps) {
            opsInFlight.decrementAndGet();
            return new SouthboundException("switch " + id + ": " + maxPendingOps
                    + " operations already waiting for the switch, " + operation + " refused");
        }
        return null;
    }

    private void submit(PendingOp op, List<OFMessage> msgs, int flowMods) {
        out.submit(new OutboundBatch.Work() {
            @Override
            public void run() {
                register(op, msgs, flowMods);
            }

            @Override
            public void rejected() {
                opsInFlight.decrementAndGet();
                op.fail(new SouthboundException("switch " + id + ": controller stopping, " + op.operation + " refused"));
            }
        }, (long) ESTIMATED_MESSAGE_BYTES * msgs.size());
    }

    // ----------------------------------------------------------------------------- event loop

    private void register(PendingOp op, List<OFMessage> msgs, int flowMods) {
        if (closed || !channel.isActive()) {
            opsInFlight.decrementAndGet();
            op.fail(new SouthboundException("switch " + id + " disconnected before " + op.operation + " was sent"));
            return;
        }
        for (long x : op.xids()) {
            pending.put(x, op);
        }
        op.timer = channel.eventLoop().schedule(() -> timedOut(op), requestTimeoutMillis, TimeUnit.MILLISECONDS);
        for (OFMessage m : msgs) {
            channel.write(m, channel.voidPromise());
        }
        // no flush: the batch this runs in ends with one
        counters.flowMods.add(flowMods);
    }

    /** Unregisters the operation and frees its slot; false if it was already finished. */
    private boolean finish(PendingOp op) {
        if (op.finished) {
            return false;
        }
        op.finished = true;
        for (long x : op.xids()) {
            pending.remove(x, op);
        }
        if (op.timer != null) {
            op.timer.cancel(false);
        }
        opsInFlight.decrementAndGet();
        return true;
    }

    private void timedOut(PendingOp op) {
        if (finish(op)) {
            counters.operationsTimedOut.increment();
            LOG.warn("switch {}: no answer to {} within {} ms", id, op.operation, requestTimeoutMillis);
            op.fail(new SouthboundException("switch " + id + " did not answer " + op.operation + " within "
                    + requestTimeoutMillis + " ms"));
        }
    }

    void onBarrierReply(long xid) {
        PendingOp op = pending.get(xid);
        if (op instanceof BarrierOp && ((BarrierOp) op).barrierXid == xid) {
            finish(op);
            ((BarrierOp) op).future.complete(null);
        } else {
            LOG.debug("switch {}: barrier reply xid {} matches nothing pending", id, xid);
        }
    }

    void onFlowStatsReply(OFFlowStatsReply reply) {
        PendingOp op = pending.get(reply.getXid());
        if (!(op instanceof StatsOp)) {
            LOG.debug("switch {}: flow stats reply xid {} matches nothing pending", id, reply.getXid());
            return;
        }
        StatsOp stats = (StatsOp) op;
        try {
            for (org.projectfloodlight.openflow.protocol.OFFlowStatsEntry e : reply.getEntries()) {
                stats.entries.add(OpenFlow13Translator.fromFlowStatsEntry(e));
            }
        } catch (RuntimeException e) {
            finish(stats);
            stats.fail(new SouthboundException("switch " + id + ": cannot translate " + stats.operation + " reply: "
                    + e.getMessage(), e));
            return;
        }
        if (stats.entries.size() > maxStatsEntries) {
            finish(stats);
            stats.fail(new SouthboundException("switch " + id + ": " + stats.operation + " has more than "
                    + maxStatsEntries + " entries"));
            return;
        }
        if (!reply.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
            finish(stats);
            stats.future.complete(Collections.unmodifiableList(stats.entries));
        }
    }

    void onError(OFErrorMsg err) {
        counters.errors.increment();
        long xid = err.getXid();
        PendingOp op = pending.get(xid);
        String what = OpenFlowErrors.describe(err);
        if (op == null) {
            LOG.warn("switch {}: error {} for xid {}, which matches nothing pending", id, what, xid);
            return;
        }
        String request = op.describe(xid);
        LOG.warn("switch {}: {} failed: {} rejected with {}", id, op.operation, request, what);
        OpenFlowErrorException e = new OpenFlowErrorException(
                "switch " + id + " rejected " + request + " (" + op.operation + ", xid " + xid + "): " + what,
                err.getErrType().name(), OpenFlowErrors.code(err), xid);
        if (op instanceof BarrierOp && xid != ((BarrierOp) op).barrierXid) {
            // keep the batch registered until its barrier reply, so later errors and the
            // reply itself are recognized; the caller learns of the failure now
            op.fail(e);
        } else {
            finish(op);
            op.fail(e);
        }
    }

    /** The channel closed: fail everything still waiting. */
    void onDisconnect() {
        if (closed) {
            return;
        }
        closed = true;
        Set<PendingOp> ops = Collections.newSetFromMap(new IdentityHashMap<>());
        ops.addAll(pending.values());
        for (PendingOp op : ops) {
            if (finish(op)) {
                op.fail(new SouthboundException("switch " + id + " disconnected before answering " + op.operation));
            }
        }
        pending.clear();
    }

    @Override
    public String toString() {
        return "SwitchConnection{" + id + ", " + channel.remoteAddress() + "}";
    }

    // ------------------------------------------------------------------------------ operations

    private abstract static class PendingOp {
        final String operation;
        ScheduledFuture<?> timer;
        boolean finished;

        PendingOp(String operation) {
            this.operation = operation;
        }

        abstract long[] xids();

        abstract String describe(long xid);

        abstract void fail(SouthboundException e);
    }

    private static final class BarrierOp extends PendingOp {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final List<?> items;
        final long base;
        final long barrierXid;

        BarrierOp(String operation, List<?> items, long base, long barrierXid) {
            super(operation);
            this.items = items;
            this.base = base;
            this.barrierXid = barrierXid;
        }

        @Override
        long[] xids() {
            long[] x = new long[items.size() + 1];
            for (int i = 0; i <= items.size(); i++) {
                x[i] = xid(base, i);
            }
            return x;
        }

        @Override
        String describe(long xid) {
            if (xid == barrierXid) {
                return "barrier request";
            }
            long index = (xid - base) & 0xffff_ffffL;
            return index < items.size() ? String.valueOf(items.get((int) index)) : "xid " + xid;
        }

        @Override
        void fail(SouthboundException e) {
            future.completeExceptionally(e);
        }
    }

    private static final class StatsOp extends PendingOp {
        final CompletableFuture<List<FlowStatsEntry>> future = new CompletableFuture<>();
        final List<FlowStatsEntry> entries = new ArrayList<>();
        final long xid;

        StatsOp(String operation, long xid) {
            super(operation);
            this.xid = xid;
        }

        @Override
        long[] xids() {
            return new long[] {xid};
        }

        @Override
        String describe(long x) {
            return "flow stats request";
        }

        @Override
        void fail(SouthboundException e) {
            future.completeExceptionally(e);
        }
    }
}
