package io.baton.controller.openflow;

import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.FlowRemoved;
import io.baton.flowrules.api.SwitchId;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records southbound events into queues tests can wait on. */
final class RecordingListener implements SouthboundListener {
    static final class PacketIn {
        final SwitchId sw;
        final int inPort;
        final byte[] frame;

        PacketIn(SwitchId sw, int inPort, byte[] frame) {
            this.sw = sw;
            this.inPort = inPort;
            this.frame = frame;
        }
    }

    static final class Removed {
        final SwitchId sw;
        final FlowRemoved removed;

        Removed(SwitchId sw, FlowRemoved removed) {
            this.sw = sw;
            this.removed = removed;
        }
    }

    final BlockingQueue<SwitchId> ups = new LinkedBlockingQueue<>();
    final BlockingQueue<SwitchId> downs = new LinkedBlockingQueue<>();
    final BlockingQueue<PacketIn> packetIns = new LinkedBlockingQueue<>();
    final BlockingQueue<Removed> removals = new LinkedBlockingQueue<>();

    @Override
    public void switchUp(SwitchId sw) {
        ups.add(sw);
    }

    @Override
    public void switchDown(SwitchId sw) {
        downs.add(sw);
    }

    @Override
    public void packetIn(SwitchId sw, int inPort, byte[] frame) {
        packetIns.add(new PacketIn(sw, inPort, frame));
    }

    @Override
    public void flowRemoved(SwitchId sw, FlowRemoved removed) {
        removals.add(new Removed(sw, removed));
    }

    static <T> T take(BlockingQueue<T> q, long millis, String what) throws InterruptedException {
        T t = q.poll(millis, TimeUnit.MILLISECONDS);
        if (t == null) {
            throw new AssertionError("no " + what + " within " + millis + " ms");
        }
        return t;
    }
}
