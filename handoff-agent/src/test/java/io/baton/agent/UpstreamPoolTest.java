package io.baton.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamPoolTest {
    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final ScheduledExecutorService ctl = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        ctl.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private UpstreamPool pool(int port, int size, long maxIdleMillis) {
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", port);
        return new UpstreamPool((EventLoop loop) -> new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false).handler(new ChannelInboundHandlerAdapter()).connect(to),
                group::next, ctl, size, maxIdleMillis);
    }

    private <T> T onCtl(Callable<T> c) throws Exception {
        return ctl.submit(c).get(5, TimeUnit.SECONDS);
    }

    private void await(String what, BooleanSupplier cond) throws Exception {
        long deadline = System.currentTimeMillis() + 5000;
        while (!onCtl(cond::getAsBoolean)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within 5 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void fillsUpHandsOutConnectedChannelsAndReplacesThem() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(0)) {
            UpstreamPool p = pool(upstream.port(), 2, 60_000);
            onCtl(() -> {
                p.maintain();
                return null;
            });
            await("two waiting", () -> p.waiting() == 2);
            Channel c = onCtl(p::take);
            assertNotNull(c);
            assertTrue(c.isActive());
            await("topped up again", () -> p.waiting() == 2);
            assertEquals(3, upstream.connections.get());
            onCtl(() -> {
                p.close();
                return null;
            });
            assertEquals(0, (int) onCtl(p::waiting));
            c.close();
        }
    }

    @Test
    void connectionsThatWaitedTooLongAreClosedNotHandedOut() throws Exception {
        try (TinyUpstream upstream = new TinyUpstream(0)) {
            UpstreamPool p = pool(upstream.port(), 1, 200);
            onCtl(() -> {
                p.maintain();
                return null;
            });
            await("one waiting", () -> p.waiting() == 1);
            onCtl(() -> {
                p.maintain(); // still young: kept
                return null;
            });
            assertEquals(1, (int) onCtl(p::waiting));
            Thread.sleep(300);
            Channel fresh = onCtl(p::take);
            assertNull(fresh, "the only one had waited too long");
            await("a new one waiting", () -> p.waiting() == 1);
            Channel c = onCtl(p::take);
            assertNotNull(c);
            assertTrue(c.isActive());
            assertTrue(onCtl(p::toString).contains("1 expired"), onCtl(p::toString));
            c.close();
        }
    }

    @Test
    void aWebServerThatRefusesIsNotRetriedInALoop() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        UpstreamPool p = pool(closed, 3, 60_000);
        onCtl(() -> {
            p.maintain();
            return null;
        });
        await("three failures", () -> p.toString().contains("3 failed"));
        Thread.sleep(200);
        assertTrue(onCtl(p::toString).contains("0 connecting; 0 taken, 0 missed, 0 expired, 3 failed"),
                "nothing retried between ticks: " + onCtl(p::toString));
        assertNull(onCtl(p::take));
        await("a take tries again", () -> p.toString().contains("1 missed, 0 expired, 6 failed"));
    }
}
