package io.baton.controller.rest;

import com.sun.net.httpserver.HttpServer;
import io.baton.controller.admin.ClusterAdmin;
import org.glassfish.jersey.jdkhttp.JdkHttpHandlerContainer;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The REST API: Jersey (JAX-RS) resources on the JDK's HTTP server, bound to the configured
 * address only, with a bounded pool of request threads and a bounded queue (beyond it a
 * request is refused by closing it rather than queued without end).
 */
public final class RestServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestServer.class);
    private static final int THREADS = 4;
    private static final int QUEUE = 256;

    private final RestCounters counters = new RestCounters();
    private HttpServer server;
    private ThreadPoolExecutor executor;

    /** The JAX-RS application: the same resource classes a platform's web container can serve. */
    public static ResourceConfig application(ClusterAdmin admin, byte[] token, RestCounters counters) {
        ResourceConfig rc = new ResourceConfig();
        rc.register(new JsonBody());
        rc.register(new BearerTokenFilter(token, counters));
        rc.register(new AdminExceptionMapper(counters));
        rc.register(new UnexpectedExceptionMapper(counters));
        rc.register(new ServicesResource(admin, counters));
        rc.register(new StatusResource(admin.engine(), counters));
        rc.register(new MetricsResource(admin.engine(), counters));
        rc.property(ServerProperties.WADL_FEATURE_DISABLE, true);
        rc.property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true);
        return rc;
    }

    public InetSocketAddress start(InetSocketAddress listen, ClusterAdmin admin, byte[] token) {
        AtomicInteger n = new AtomicInteger();
        executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "baton-rest-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        try {
            server = HttpServer.create(listen, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("REST API cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        JdkHttpHandlerContainer handler = ContainerFactory.createContainer(JdkHttpHandlerContainer.class,
                application(admin, token, counters));
        server.createContext("/", handler);
        server.setExecutor(executor);
        server.start();
        InetSocketAddress bound = server.getAddress();
        log.info("REST API listening on {}", bound);
        return bound;
    }

    public RestCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
