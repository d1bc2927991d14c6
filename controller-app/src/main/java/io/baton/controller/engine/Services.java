package io.baton.controller.engine;

import io.baton.controller.config.ServiceConfig;
import io.baton.controller.connection.ConnectionKey;
import io.baton.controller.frontend.TcpFrontend;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The services now configured, found by name or by the VIP and port a packet is sent to.
 * Engine thread only; {@link #replace} swaps in a new set between two events.
 */
public final class Services implements TcpFrontend.ServiceLookup {
    private Map<String, ServiceRuntime> byName = new LinkedHashMap<>();
    private Map<Long, ServiceRuntime> byEndpoint = new HashMap<>();

    public Services(List<ServiceConfig> configs) {
        replace(configs);
    }

    /** Adopts {@code configs}; unchanged pools keep their policy state. */
    public void replace(List<ServiceConfig> configs) {
        Map<String, ServiceRuntime> names = new LinkedHashMap<>();
        Map<Long, ServiceRuntime> endpoints = new HashMap<>();
        for (ServiceConfig s : configs) {
            ServiceRuntime rt = new ServiceRuntime(s, byName.get(s.name()));
            names.put(s.name(), rt);
            endpoints.put(endpoint(s.vip().toInt(), s.port()), rt);
        }
        byName = names;
        byEndpoint = endpoints;
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
