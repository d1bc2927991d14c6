package io.baton.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.baton.handoff.protocol.HealthChecks;
import io.baton.handoff.protocol.HealthReport;
import io.netty.channel.epoll.EpollEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Checks against a real HTTP server on loopback. */
class HealthCheckerTest {
    @Test
    void reportsPassFailTimeoutAndRefusedConnections() throws Exception {
        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        AtomicInteger status = new AtomicInteger(200);
        AtomicReference<String> host = new AtomicReference<>();
        web.createContext("/healthz", x -> {
            host.set(x.getRequestHeaders().getFirst("Host"));
            x.sendResponseHeaders(status.get(), -1);
            x.close();
        });
        web.createContext("/slow", x -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        web.start();
        EpollEventLoopGroup group = new EpollEventLoopGroup(1);
        BlockingQueue<HealthReport> reports = new LinkedBlockingQueue<>();
        HealthChecker checker = new HealthChecker(group, web.getAddress(), false, reports::add);
        try {
            checker.configure(new HealthChecks(List.of(new HealthChecks.Check("web/static", "/healthz", "site.example", 2, 200, 190))));
            HealthReport r = null;
            for (int i = 0; i < 20 && (r == null || !r.ok()); i++) { // the first may meet a cold JIT
                r = reports.poll(5, TimeUnit.SECONDS);
            }
            assertNotNull(r);
            assertTrue(r.ok(), r.toString());
            assertEquals(200, r.status());
            assertEquals("web/static", r.checkId());
            assertEquals("site.example", host.get(), "the configured Host header is sent");

            status.set(503);
            HealthReport failed = null;
            // On a busy machine a check may also time out (status 0) before the 503 is seen.
            for (int i = 0; i < 20 && (failed == null || failed.ok() || failed.status() == 0); i++) {
                failed = reports.poll(5, TimeUnit.SECONDS);
            }
            assertFalse(failed.ok());
            assertEquals(503, failed.status());

            checker.configure(new HealthChecks(List.of(new HealthChecks.Check("web/slow", "/slow", "", 2, 300, 100))));
            HealthReport slow = null;
            for (int i = 0; i < 20 && (slow == null || !slow.checkId().equals("web/slow")); i++) {
                slow = reports.poll(5, TimeUnit.SECONDS);
            }
            assertFalse(slow.ok());
            assertEquals(0, slow.status());
            assertTrue(slow.detail().contains("no answer within 100 ms"), slow.detail());

            int closedPort;
            try (ServerSocket s = new ServerSocket(0)) {
                closedPort = s.getLocalPort();
            }
            HealthChecker refused = new HealthChecker(group, new InetSocketAddress("127.0.0.1", closedPort), false, reports::add);
            checker.close();
            Thread.sleep(600); // let the last slow check finish
            reports.clear();
            refused.configure(new HealthChecks(List.of(new HealthChecks.Check("web/down", "/", "", 2, 200, 100))));
            HealthReport down = reports.poll(5, TimeUnit.SECONDS);
            refused.close();
            assertFalse(down.ok());
            assertEquals("web/down", down.checkId());
            assertTrue(down.detail().startsWith("connect failed"), down.detail());

            reports.clear();
            Thread.sleep(500);
            assertTrue(reports.isEmpty(), "an empty set stops every check: " + reports);
        } finally {
            checker.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            web.stop(0);
        }
    }
}
