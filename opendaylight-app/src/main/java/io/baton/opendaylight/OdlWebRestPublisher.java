package io.baton.opendaylight;

import io.baton.controller.embed.RestPublisher;
import org.opendaylight.aaa.web.ServletDetails;
import org.opendaylight.aaa.web.WebContext;
import org.opendaylight.aaa.web.WebServer;
import org.opendaylight.aaa.web.servlet.ServletSupport;

import javax.servlet.ServletException;
import javax.ws.rs.core.Application;

/**
 * Serves Baton's REST API in OpenDaylight's own web server: the {@link WebServer} of
 * {@code org.opendaylight.aaa.web} (Pax Web's whiteboard inside OpenDaylight, port 8181 by default),
 * as web context {@value #CONTEXT_PATH}, so that {@code GET /baton/api/v1/stats} is Baton's
 * {@code /api/v1/stats}.
 *
 * <p>OpenDaylight 0.21's web API (aaa 0.22) is Java Servlet 3.1 ({@code javax.servlet}) with JAX-RS
 * 2.1 on Jersey 2, like Baton's resources: the servlet comes from OpenDaylight's own
 * {@link ServletSupport} (aaa's Jersey 2 servlet), which serves the very application Baton's own
 * server would, bearer-token filter included. No AAA (Shiro) securer is added: the token is the
 * API's authentication, as on Baton's own server.
 *
 * <p>Registered from the component rather than declared as a web bundle, so the context lives
 * exactly as long as the engine it serves and is withdrawn when Baton stops or restarts.
 */
final class OdlWebRestPublisher implements RestPublisher {
    static final String CONTEXT_PATH = "/baton";

    private final WebServer webServer;
    private final ServletSupport servletSupport;

    OdlWebRestPublisher(WebServer webServer, ServletSupport servletSupport) {
        this.webServer = webServer;
        this.servletSupport = servletSupport;
    }

    @Override
    public Registration publish(Application application) {
        // Jersey may look up its providers through the thread's context class loader; make it this
        // bundle's (which sees Baton's and Jersey's packages), not whatever thread activates us.
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(OdlWebRestPublisher.class.getClassLoader());
        try {
            WebContext context = WebContext.builder()
                    .name("baton")
                    .contextPath(CONTEXT_PATH)
                    .supportsSessions(false)
                    .addServlet(ServletDetails.builder()
                            .name("baton-rest")
                            .servlet(servletSupport.createHttpServletBuilder(application).build())
                            .addUrlPattern("/*")
                            .build())
                    .build();
            // OpenDaylight's registration (yangtools' Registration), closed as Baton's.
            org.opendaylight.yangtools.concepts.Registration registration = webServer.registerWebContext(context);
            return registration::close;
        } catch (ServletException | RuntimeException e) {
            throw new IllegalStateException("REST API not served by OpenDaylight's web server at " + CONTEXT_PATH
                    + ": " + e.getMessage(), e);
        } finally {
            t.setContextClassLoader(before);
        }
    }

    /** Where the API is, for the log: OpenDaylight's base URL and the context path. */
    String where() {
        try {
            return webServer.getBaseURL() + CONTEXT_PATH;
        } catch (RuntimeException e) {
            return "OpenDaylight's web server at " + CONTEXT_PATH;
        }
    }
}
