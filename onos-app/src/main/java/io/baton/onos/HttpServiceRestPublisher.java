package io.baton.onos;

import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.osgi.service.http.HttpService;
import org.osgi.service.http.NamespaceException;

/**
 * Serves the REST API in ONOS's web container (Pax Web, port 8181) through the OSGi HttpService,
 * as a Jersey servlet under {@value #ALIAS}.
 *
 * <p>Not a web application bundle ({@code Web-ContextPath} and web.xml, as ONOS's own REST API
 * is): there the web container creates the JAX-RS application by class name, on its own
 * schedule, so it could reach the running engine only through a static or a service lookup and
 * would keep serving a stopped engine after a configuration change restarts Baton. Registered
 * from the component instead, the servlet lives exactly as long as the engine it serves.
 */
final class HttpServiceRestPublisher implements RestPublisher {
    static final String ALIAS = "/onos/baton";

    private final HttpService http;

    HttpServiceRestPublisher(HttpService http) {
        this.http = http;
    }

    @Override
    public Registration publish(ResourceConfig application) {
        // Jersey finds its providers through the thread's context class loader; in OSGi that
        // must be this bundle's, which imports Jersey, not whatever thread activates us.
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(HttpServiceRestPublisher.class.getClassLoader());
        try {
            http.registerServlet(ALIAS, new ServletContainer(application), null, null);
        } catch (NamespaceException | javax.servlet.ServletException e) {
            throw new IllegalStateException("REST API not served at " + ALIAS + ": " + e.getMessage(), e);
        } finally {
            t.setContextClassLoader(before);
        }
        return () -> http.unregister(ALIAS);
    }
}
