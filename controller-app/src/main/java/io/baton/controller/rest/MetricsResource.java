package io.baton.controller.rest;

import io.baton.controller.admin.AdminException;
import io.baton.controller.engine.BatonEngine;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prometheus text exposition (format 0.0.4). Per server: active connections, handoffs by result,
 * health per pool; per service: requests dispatched (rate() of it is new connections per second);
 * every engine counter, packet-ins among them.
 */
@Path("metrics")
public final class MetricsResource {
    private final BatonEngine engine;
    private final RestCounters counters;

    public MetricsResource(BatonEngine engine, RestCounters counters) {
        this.engine = engine;
        this.counters = counters;
    }

    @GET
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() throws AdminException {
        StringBuilder out = new StringBuilder(4096);
        List<Map<String, Object>> servers = Queries.await(engine.servers());
        family(out, "baton_server_active_connections", "gauge", "Connections handed to the server and not yet closed.");
        for (Map<String, Object> s : servers) {
            sample(out, "baton_server_active_connections", "server", s.get("address"), s.get("activeConnections"));
        }
        family(out, "baton_server_handoffs_total", "counter", "Handoffs to the server, by result.");
        for (Map<String, Object> s : servers) {
            out.append("baton_server_handoffs_total{server=\"").append(s.get("address")).append("\",result=\"ok\"} ")
                    .append(s.get("handoffsOk")).append('\n');
            out.append("baton_server_handoffs_total{server=\"").append(s.get("address")).append("\",result=\"failed\"} ")
                    .append(s.get("handoffsFailed")).append('\n');
        }
        family(out, "baton_server_agent_connected", "gauge", "1 while the server's agent is connected.");
        for (Map<String, Object> s : servers) {
            sample(out, "baton_server_agent_connected", "server", s.get("address"),
                    Boolean.TRUE.equals(s.get("agentConnected")) ? 1 : 0);
        }
        family(out, "baton_member_up", "gauge", "1 while the pool member takes new connections (state active).");
        for (Map<String, Object> s : servers) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> pools = (List<Map<String, Object>>) s.get("pools");
            for (Map<String, Object> p : pools) {
                out.append("baton_member_up{server=\"").append(s.get("address")).append("\",service=\"")
                        .append(escape(p.get("service"))).append("\",pool=\"").append(escape(p.get("pool")))
                        .append("\",health=\"").append(p.get("health")).append("\",state=\"").append(p.get("state"))
                        .append("\"} ").append("active".equals(p.get("state")) ? 1 : 0).append('\n');
            }
        }
        family(out, "baton_service_requests_total", "counter", "Requests dispatched by the service (one per new connection).");
        for (Map.Entry<String, Long> e : Queries.await(engine.dispatchedPerService()).entrySet()) {
            sample(out, "baton_service_requests_total", "service", escape(e.getKey()), e.getValue());
        }
        for (Map.Entry<String, Long> e : engine.counters().snapshot().entrySet()) {
            String name = "baton_" + snake(e.getKey()) + "_total";
            family(out, name, "counter", "Engine counter " + e.getKey() + ".");
            out.append(name).append(' ').append(e.getValue()).append('\n');
        }
        family(out, "baton_rest_calls_total", "counter", "REST calls refused (by reason) and changes made.");
        for (Map.Entry<String, Long> e : counters.snapshot().entrySet()) {
            out.append("baton_rest_calls_total{outcome=\"").append(e.getKey()).append("\"} ").append(e.getValue()).append('\n');
        }
        return out.toString();
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String label, Object labelValue, Object value) {
        out.append(name).append('{').append(label).append("=\"").append(labelValue).append("\"} ").append(value).append('\n');
    }

    static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                b.append('_').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    private static String escape(Object v) {
        return String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
