package io.baton.karaf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.projectfloodlight.openflow.exceptions.OFParseError;
import org.projectfloodlight.openflow.protocol.OFCapabilities;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowMod;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.protocol.OFStatsType;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An OpenFlow 1.3 switch emulated over a plain socket with openflowj: enough for the controller
 * to take it up and keep it (HELLO, FEATURES_REPLY, barrier and echo replies, an empty reply to
 * flow-stats requests; SET_CONFIG and flow-mods are taken silently). It records every message the
 * controller sends, in order, the barriers it answered, and when the controller closed the
 * connection, so a test can tell what the switch's flow table went through.
 */
final class EmulatedSwitch implements AutoCloseable {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

    private final long dpid;
    private final Socket socket;
    private final OutputStream out;
    private final List<OFMessage> received = new CopyOnWriteArrayList<>();
    private final Set<Long> barriersAnswered = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closedByPeer = new CountDownLatch(1);
    private volatile String readError;

    private EmulatedSwitch(long dpid, Socket socket) throws IOException {
        this.dpid = dpid;
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** Connects, says HELLO in OpenFlow 1.3, and answers the controller on a thread of its own. */
    static EmulatedSwitch connect(InetAddress address, int port, long dpid) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(address, port), 2000);
        s.setTcpNoDelay(true);
        EmulatedSwitch sw = new EmulatedSwitch(dpid, s);
        sw.send(OF13.buildHello().setXid(1).build());
        Thread reader = new Thread(sw::readUntilClosed, "emulated-switch-" + Long.toHexString(dpid));
        reader.setDaemon(true);
        reader.start();
        return sw;
    }

    /** One OpenFlow message from the stream (framed by its header's length), or null at the end of it. */
    static OFMessage readMessage(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        byte[] header = new byte[8];
        try {
            in.readFully(header);
        } catch (EOFException e) {
            return null;
        }
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] message = new byte[length];
        System.arraycopy(header, 0, message, 0, 8);
        in.readFully(message, 8, length - 8);
        try {
            return OFFactories.getGenericReader().readFrom(Unpooled.wrappedBuffer(message));
        } catch (OFParseError e) {
            throw new AssertionError("controller sent an unparseable OpenFlow message", e);
        }
    }

    private void readUntilClosed() {
        try (InputStream in = socket.getInputStream()) {
            OFMessage m;
            while ((m = readMessage(in)) != null) {
                received.add(m);
                answer(m);
            }
        } catch (IOException | AssertionError e) {
            if (!socket.isClosed()) {
                readError = e.toString();
            }
        } finally {
            closedByPeer.countDown();
        }
    }

    private void answer(OFMessage m) throws IOException {
        switch (m.getType()) {
            case FEATURES_REQUEST:
                send(OF13.buildFeaturesReply().setXid(m.getXid()).setDatapathId(DatapathId.of(dpid))
                        .setNBuffers(0).setNTables((short) 1)
                        .setCapabilities(EnumSet.of(OFCapabilities.FLOW_STATS)).build());
                break;
            case BARRIER_REQUEST:
                send(OF13.buildBarrierReply().setXid(m.getXid()).build());
                barriersAnswered.add(m.getXid());
                break;
            case ECHO_REQUEST:
                send(OF13.buildEchoReply().setXid(m.getXid()).setData(((OFEchoRequest) m).getData()).build());
                break;
            case STATS_REQUEST:
                if (((OFStatsRequest<?>) m).getStatsType() == OFStatsType.FLOW) {
                    send(OF13.buildFlowStatsReply().setXid(m.getXid()).setEntries(List.of()).build());
                }
                break;
            default:
                break; // HELLO, SET_CONFIG, flow-mods, packet-outs: recorded only
        }
    }

    private synchronized void send(OFMessage m) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        m.writeTo(buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        out.write(bytes);
        out.flush();
    }

    /** Every message received so far, in order. */
    List<OFMessage> received() {
        return List.copyOf(received);
    }

    boolean answeredBarrier(long xid) {
        return barriersAnswered.contains(xid);
    }

    /** Waits for a flow-mod that {@code wanted} accepts; an AssertionError naming {@code what} if none comes. */
    OFFlowMod awaitFlowMod(Predicate<OFFlowMod> wanted, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            // Decided before looking, so that a last message read just before the close is seen.
            boolean last = System.nanoTime() > deadline || closedByPeer.getCount() == 0;
            for (OFMessage m : received) {
                if (m.getType() == OFType.FLOW_MOD && wanted.test((OFFlowMod) m)) {
                    return (OFFlowMod) m;
                }
            }
            if (last) {
                throw new AssertionError("emulated switch: no " + what + " within " + timeout + "; received "
                        + describe(received()));
            }
            Thread.sleep(100);
        }
    }

    /** Whether the controller closed the connection within {@code timeout}. */
    boolean awaitClosedByController(Duration timeout) throws InterruptedException {
        return closedByPeer.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && readError == null;
    }

    /** What went wrong reading, if anything did before the end of the stream. */
    String readError() {
        return readError;
    }

    /** Messages as type and xid, flow-mods with command, cookie and mask: for failure messages. */
    static String describe(List<OFMessage> messages) {
        return messages.stream().map(m -> {
            if (m.getType() == OFType.FLOW_MOD) {
                OFFlowMod f = (OFFlowMod) m;
                return String.format("FLOW_MOD %s cookie=0x%x/0x%x priority=%d", f.getCommand(),
                        f.getCookie().getValue(), f.getCookieMask().getValue(), f.getPriority());
            }
            return m.getType() + " xid=" + m.getXid();
        }).collect(Collectors.joining(", ", "[", "]"));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
