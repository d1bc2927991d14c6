package io.baton.controller.engine;

import io.baton.controller.config.ServiceConfig;
import io.baton.controller.connection.ConnectionKey;
import io.baton.controller.frontend.TcpFrontend;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The configured services, found by name or by the VIP and port a packet is sent to. Immutable. */
public final class Services implements TcpFrontend.ServiceLookup {
    private final Map<String, ServiceRuntime> byName = new LinkedHashMap<>();
    private final Map<Long, ServiceRuntime> byEndpoint = new HashMap<>();

    public Services(List<ServiceConfig> configs) {
        for (ServiceConfig s : configs) {
            ServiceRuntime rt = new ServiceRuntime(s);
            byName.put(s.name(), rt);
            byEndpoint.put(endpoint(s.vip().toInt(), s.port()), rt);
        }
    }

    public ServiceRuntime byName(String name) {
        return byName.get(name);
    }

    /** The service at VIP:port, or null. */
    public ServiceRuntime at(int vip, int port) {
        return byEndpoint.get(endpoint(vip, port));
    }

    @Override
    public ServiceConfig byKey(ConnectionKey key) {
        ServiceRuntime rt = at(key.vip(), key.vipPort());
        return rt == null ? null : rt.config();
    }

    public Collection<ServiceRuntime> all() {
        return byName.values();
    }

    private static long endpoint(int ip, int port) {
        return ((ip & 0xffff_ffffL) << 16) | port;
    }
}
