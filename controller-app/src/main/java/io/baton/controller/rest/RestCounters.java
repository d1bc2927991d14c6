package io.baton.controller.rest;

import io.baton.controller.admin.AdminException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What the REST API refused, by reason. */
public final class RestCounters {
    public final LongAdder unauthorized = new LongAdder();
    public final LongAdder badRequests = new LongAdder();
    public final LongAdder notFound = new LongAdder();
    public final LongAdder conflicts = new LongAdder();
    public final LongAdder notSaved = new LongAdder();
    public final LongAdder internalErrors = new LongAdder();
    public final LongAdder changes = new LongAdder();

    void refused(AdminException.Kind kind) {
        switch (kind) {
            case BAD_REQUEST: badRequests.increment(); break;
            case NOT_FOUND: notFound.increment(); break;
            case CONFLICT: conflicts.increment(); break;
            default: notSaved.increment(); break;
        }
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("unauthorized", unauthorized.sum());
        m.put("badRequests", badRequests.sum());
        m.put("notFound", notFound.sum());
        m.put("conflicts", conflicts.sum());
        m.put("notSaved", notSaved.sum());
        m.put("internalErrors", internalErrors.sum());
        m.put("changes", changes.sum());
        return m;
    }
}
