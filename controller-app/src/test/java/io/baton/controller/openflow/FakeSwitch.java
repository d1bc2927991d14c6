package io.baton.controller.openflow;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;

import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFCapabilities;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFHelloElem;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.U32;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A real OpenFlow peer over TCP, for tests: a Netty client that frames and parses with
 * openflowj on its own (it shares no code with the controller's codec), sends its hello on
 * connect, answers features, barrier, echo and (when told) flow-stats requests, can answer
 * chosen requests with an ERROR, and records everything it receives.
 */
final class FakeSwitch implements AutoCloseable {
    static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);

    final long dpid;
    /** Every message received, in order. */
    final List<OFMessage> received = new CopyOnWriteArrayList<>();
    private final BlockingQueue<OFMessage> inbox = new LinkedBlockingQueue<>();

    volatile boolean answerBarriers = true;
    volatile boolean answerEchoes = true;
    /** For a received request, an ERROR (or any message) to send back first, or null. */
    volatile Function<OFMessage, OFMessage> errorFor = m -> null;
    /** Replies to a flow-stats request, or null for none. */
    volatile Function<OFFlowStatsRequest, List<OFMessage>> statsResponder = r -> null;

    private final EventLoopGroup group;
    private final Channel channel;

    private FakeSwitch(long dpid, int port, OFMessage hello) throws InterruptedException {
        this.dpid = dpid;
        group = new NioEventLoopGroup(1, new DefaultThreadFactory("fake-switch", true));
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(0xffff, 2, 2, -4, 0));
                        ch.pipeline().addLast(new MessageToMessageDecoder<ByteBuf>() {
                            @Override
                            protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
                                    throws Exception {
                                out.add(OFFactories.getGenericReader().readFrom(in));
                            }
                        });
                        ch.pipeline().addLast(new MessageToByteEncoder<OFMessage>() {
                            @Override
                            protected void encode(ChannelHandlerContext ctx, OFMessage msg, ByteBuf out) {
                                msg.writeTo(out);
                            }
                        });
                        ch.pipeline().addLast(new Responder());
                    }
                });
        channel = b.connect("127.0.0.1", port).sync().channel();
        if (hello != null) {
            // await, not sync: a controller that refuses this switch may close before the write lands.
            channel.writeAndFlush(hello).await();
        }
    }

    /** A switch that says hello in OpenFlow 1.3 with a version bitmap naming 1.0 and 1.3. */
    static FakeSwitch connect(int port, long dpid) throws InterruptedException {
        OFHelloElem bitmap = OF13.buildHelloElemVersionbitmap()
                .setBitmaps(Collections.singletonList(U32.of((1 << 1) | (1 << 4)))).build();
        return new FakeSwitch(dpid, port, OF13.buildHello().setXid(100)
                .setElements(Collections.singletonList(bitmap)).build());
    }

    /** A switch that says this hello (or nothing, when null). */
    static FakeSwitch connect(int port, long dpid, OFMessage hello) throws InterruptedException {
        return new FakeSwitch(dpid, port, hello);
    }

    void send(OFMessage m) {
        channel.writeAndFlush(m).syncUninterruptibly();
    }

    void sendRaw(byte[] bytes) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).syncUninterruptibly();
    }

    /** The next received message of this type (others are skipped), or an AssertionError. */
    <T extends OFMessage> T await(OFType type, Class<T> cls, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            long left = deadline - System.nanoTime();
            OFMessage m = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("fake switch " + dpid + ": no " + type + " within " + timeoutMillis
                        + " ms; received " + received);
            }
            if (m.getType() == type) {
                return cls.cast(m);
            }
        }
    }

    /** The next {@code n} received messages of any type, in order. */
    List<OFMessage> next(int n, long timeoutMillis) throws InterruptedException {
        List<OFMessage> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (out.size() < n) {
            long left = deadline - System.nanoTime();
            OFMessage m = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("fake switch " + dpid + ": got only " + out + " within " + timeoutMillis + " ms");
            }
            out.add(m);
        }
        return out;
    }

    /** Forgets what arrived so far (the handshake, typically). */
    void drain() {
        inbox.clear();
    }

    /** Stops (or resumes) reading from the socket, so the controller's writes back up. */
    void setReading(boolean reading) {
        channel.eventLoop().submit(() -> channel.config().setAutoRead(reading)).syncUninterruptibly();
    }

    boolean isOpen() {
        return channel.isActive();
    }

    boolean awaitClosed(long timeoutMillis) {
        return channel.closeFuture().awaitUninterruptibly(timeoutMillis);
    }

    @Override
    public void close() {
        if (!group.isShuttingDown()) {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private final class Responder extends SimpleChannelInboundHandler<OFMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, OFMessage m) {
            received.add(m);
            inbox.add(m);
            OFMessage err = errorFor.apply(m);
            if (err != null) {
                ctx.writeAndFlush(err);
            }
            if (m.getVersion() != OFVersion.OF_13) {
                return;
            }
            switch (m.getType()) {
                case FEATURES_REQUEST:
                    ctx.writeAndFlush(OF13.buildFeaturesReply()
                            .setXid(m.getXid())
                            .setDatapathId(DatapathId.of(dpid))
                            .setNBuffers(0)
                            .setNTables((short) 254)
                            .setCapabilities(EnumSet.of(OFCapabilities.FLOW_STATS))
                            .build());
                    break;
                case BARRIER_REQUEST:
                    if (answerBarriers) {
                        ctx.writeAndFlush(OF13.buildBarrierReply().setXid(((OFBarrierRequest) m).getXid()).build());
                    }
                    break;
                case ECHO_REQUEST:
                    if (answerEchoes) {
                        ctx.writeAndFlush(OF13.buildEchoReply().setXid(m.getXid())
                                .setData(((OFEchoRequest) m).getData()).build());
                    }
                    break;
                case STATS_REQUEST:
                    if (m instanceof OFFlowStatsRequest) {
                        List<OFMessage> replies = statsResponder.apply((OFFlowStatsRequest) m);
                        if (replies != null) {
                            for (OFMessage r : replies) {
                                ctx.write(r);
                            }
                            ctx.flush();
                        }
                    }
                    break;
                default:
                    break;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            cause.printStackTrace();
            ctx.close();
        }
    }
}
