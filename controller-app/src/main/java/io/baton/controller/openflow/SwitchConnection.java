package io.baton.controller.openflow;

import io.baton.controller.southbound.SouthboundException;
import io.baton.flowrules.api.FlowStatsEntry;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;
import io.baton.flowrules.openflow.OpenFlow13Translator;

import io.netty.channel.Channel;
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
import java.util.LinkedHashSet;
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
 *
 * <p>Flow-mods written in one batch share the one barrier that ends the batch: a barrier reply
 * confirms everything the switch received before it, so under load one barrier confirms many
 * connections' rules instead of one each. An ERROR still names its own flow-mod's xid and fails
 * only that flow-mod's operation. Timeouts are found by a periodic sweep over the operations in
 * the order they were written (all share one timeout), not by a timer each.
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

    /** Wire xids are this counter's unsigned value; the handshake used 1..4. */
    private final AtomicInteger xids = new AtomicInteger(0x100);
    /** Operations accepted and not yet finished, including those still queued to the event loop. */
    private final AtomicInteger opsInFlight = new AtomicInteger();

    // Event loop only.
    /** Operations written and not finished, oldest first (so also by deadline). */
    private final Set<PendingOp> pending = new LinkedHashSet<>();
    /** Barrier xid to the flow-mod operations it confirms. */
    private final Map<Long, List<BarrierOp>> barriers = new HashMap<>();
    /** Stats request xid to its operation. */
    private final Map<Long, StatsOp> statsRequests = new HashMap<>();
    /** Flow-mod operations of the batch being written, waiting for the barrier that closes it. */
    private List<BarrierOp> unconfirmed = new ArrayList<>();
    private final ScheduledFuture<?> sweep;
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
        this.out = new OutboundBatch(channel, new OutboundBatch.BatchListener() {
            @Override
            public void beforeFlush(OutboundBatch.Writer writer) {
                closeBatch(writer);
            }

            @Override
            public void written(boolean success, int packetOuts) {
                (success ? counters.packetOuts : counters.packetOutsDropped).add(packetOuts);
            }
        });
        long sweepMillis = Math.max(5, Math.min(250, requestTimeoutMillis / 8));
        this.sweep = channel.eventLoop().scheduleAtFixedRate(this::sweepTimeouts, sweepMillis, sweepMillis,
                TimeUnit.MILLISECONDS);
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
            public void run(OutboundBatch.Writer writer) {
                writer.writePacketOut(msg);
            }

            @Override
            public void rejected() {
                counters.packetOutsDropped.increment();
            }
        }, PACKET_OUT_OVERHEAD + packet.frame().length);
    }

    /**
     * Writes one flow-mod per item, followed (in the same flush) by the barrier that closes the
     * batch; completes on that barrier's reply, or fails on the first ERROR naming one of the
     * flow-mods, on timeout or disconnect.
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
        long base = allocateXids(n);
        List<OFMessage> msgs = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                msgs.add(factory.build(items.get(i), xid(base, i)));
            }
        } catch (RuntimeException e) {
            opsInFlight.decrementAndGet();
            return CompletableFuture.failedFuture(
                    new SouthboundException("switch " + id + ": cannot translate " + operation + ": " + e.getMessage(), e));
        }
        BarrierOp op = new BarrierOp(operation, items, base);
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
            public void run(OutboundBatch.Writer writer) {
                register(op, msgs, flowMods, writer);
            }

            @Override
            public void rejected() {
                opsInFlight.decrementAndGet();
                op.fail(new SouthboundException("switch " + id + ": controller stopping, " + op.operation + " refused"));
            }
        }, (long) ESTIMATED_MESSAGE_BYTES * msgs.size());
    }

    // ----------------------------------------------------------------------------- event loop

    private void register(PendingOp op, List<OFMessage> msgs, int flowMods, OutboundBatch.Writer writer) {
        if (closed || !channel.isActive()) {
            opsInFlight.decrementAndGet();
            op.fail(new SouthboundException("switch " + id + " disconnected before " + op.operation + " was sent"));
            return;
        }
        op.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(requestTimeoutMillis);
        pending.add(op);
        try {
            for (OFMessage m : msgs) {
                writer.write(m);
            }
        } catch (RuntimeException e) {
            finish(op);
            op.fail(new SouthboundException("switch " + id + ": cannot encode " + op.operation + ": " + e.getMessage(), e));
            return;
        }
        if (op instanceof BarrierOp) {
            unconfirmed.add((BarrierOp) op);
        } else {
            statsRequests.put(((StatsOp) op).xid, (StatsOp) op);
        }
        counters.flowMods.add(flowMods);
    }

    /** The batch's work has run: one barrier confirms every flow-mod operation it wrote. */
    private void closeBatch(OutboundBatch.Writer writer) {
        if (unconfirmed.isEmpty()) {
            return;
        }
        List<BarrierOp> ops = unconfirmed;
        unconfirmed = new ArrayList<>();
        long barrierXid = allocateXids(1);
        for (BarrierOp op : ops) {
            op.barrierXid = barrierXid;
        }
        barriers.put(barrierXid, ops);
        writer.write(OpenFlow13Translator.FACTORY.buildBarrierRequest().setXid(barrierXid).build());
    }

    /** Unregisters the operation and frees its slot; false if it was already finished. */
    private boolean finish(PendingOp op) {
        if (op.finished) {
            return false;
        }
        op.finished = true;
        pending.remove(op);
        if (op instanceof StatsOp) {
            statsRequests.remove(((StatsOp) op).xid, op);
        } else {
            long barrierXid = ((BarrierOp) op).barrierXid;
            List<BarrierOp> group = barrierXid < 0 ? null : barriers.get(barrierXid);
            if (group != null) {
                group.remove(op);
                if (group.isEmpty()) {
                    barriers.remove(barrierXid);
                }
            }
        }
        opsInFlight.decrementAndGet();
        return true;
    }

    private void sweepTimeouts() {
        if (pending.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        List<PendingOp> expired = null;
        for (PendingOp op : pending) {
            if (now - op.deadlineNanos < 0) {
                break; // written in order with one timeout: the rest are younger
            }
            if (expired == null) {
                expired = new ArrayList<>();
            }
            expired.add(op);
        }
        if (expired != null) {
            expired.forEach(this::timedOut);
        }
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
        List<BarrierOp> ops = barriers.remove(xid);
        if (ops == null) {
            LOG.debug("switch {}: barrier reply xid {} matches nothing pending", id, xid);
            return;
        }
        for (BarrierOp op : ops) {
            op.barrierXid = -1; // its group is gone already, so finish leaves the list alone
            if (finish(op)) {
                op.future.complete(null);
            }
        }
    }

    void onFlowStatsReply(OFFlowStatsReply reply) {
        StatsOp stats = statsRequests.get(reply.getXid());
        if (stats == null) {
            LOG.debug("switch {}: flow stats reply xid {} matches nothing pending", id, reply.getXid());
            return;
        }
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
        String what = OpenFlowErrors.describe(err);
        List<BarrierOp> confirmedByIt = barriers.get(xid);
        if (confirmedByIt != null) {
            // the barrier itself was refused: nothing it was to confirm can be confirmed
            for (BarrierOp op : confirmedByIt.toArray(new BarrierOp[0])) {
                failOnError(op, err, what, true);
            }
            return;
        }
        PendingOp op = statsRequests.get(xid);
        if (op == null) {
            op = flowModOperation(xid);
        }
        if (op == null) {
            LOG.warn("switch {}: error {} for xid {}, which matches nothing pending", id, what, xid);
            return;
        }
        // A flow-mod's operation stays registered until its barrier reply, so later errors and
        // the reply itself are recognized; the caller learns of the failure now.
        failOnError(op, err, what, op instanceof StatsOp);
    }

    /** The pending flow-mod operation that wrote xid; errors are rare, so a scan will do. */
    private BarrierOp flowModOperation(long xid) {
        for (PendingOp op : pending) {
            if (op instanceof BarrierOp && ((BarrierOp) op).wrote(xid)) {
                return (BarrierOp) op;
            }
        }
        return null;
    }

    private void failOnError(PendingOp op, OFErrorMsg err, String what, boolean finishNow) {
        long xid = err.getXid();
        String request = op.describe(xid);
        LOG.warn("switch {}: {} failed: {} rejected with {}", id, op.operation, request, what);
        OpenFlowErrorException e = new OpenFlowErrorException(
                "switch " + id + " rejected " + request + " (" + op.operation + ", xid " + xid + "): " + what,
                err.getErrType().name(), OpenFlowErrors.code(err), xid);
        if (finishNow) {
            finish(op);
        }
        op.fail(e);
    }

    /** The channel closed: fail everything still waiting. */
    void onDisconnect() {
        if (closed) {
            return;
        }
        closed = true;
        sweep.cancel(false);
        List<PendingOp> ops = new ArrayList<>(pending);
        ops.addAll(unconfirmed);
        for (PendingOp op : ops) {
            if (finish(op)) {
                op.fail(new SouthboundException("switch " + id + " disconnected before answering " + op.operation));
            }
        }
        pending.clear();
        barriers.clear();
        statsRequests.clear();
        unconfirmed.clear();
    }

    @Override
    public String toString() {
        return "SwitchConnection{" + id + ", " + channel.remoteAddress() + "}";
    }

    // ------------------------------------------------------------------------------ operations

    private abstract static class PendingOp {
        final String operation;
        long deadlineNanos;
        boolean finished;

        PendingOp(String operation) {
            this.operation = operation;
        }

        abstract String describe(long xid);

        abstract void fail(SouthboundException e);
    }

    private static final class BarrierOp extends PendingOp {
        final CompletableFuture<Void> future = new CompletableFuture<>();
        final List<?> items;
        final long base;
        /** The barrier that confirms it, once its batch is closed; -1 before, and after the reply. */
        long barrierXid = -1;

        BarrierOp(String operation, List<?> items, long base) {
            super(operation);
            this.items = items;
            this.base = base;
        }

        /** One of its flow-mods carried this xid. */
        boolean wrote(long xid) {
            return ((xid - base) & 0xffff_ffffL) < items.size();
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
        String describe(long x) {
            return "flow stats request";
        }

        @Override
        void fail(SouthboundException e) {
            future.completeExceptionally(e);
        }
    }
}
