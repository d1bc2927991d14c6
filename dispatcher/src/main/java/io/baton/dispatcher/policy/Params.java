package io.baton.dispatcher.policy;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a policy's string parameters with typed defaults and bounds, remembering which keys
 * were read so that a misspelt key is an error naming it instead of a silently ignored setting.
 */
final class Params {
    private final String policy;
    private final Map<String, String> values;
    private final Set<String> known = new TreeSet<>();

    Params(String policy, Map<String, String> values) {
        this.policy = policy;
        this.values = values == null ? new HashMap<>() : new HashMap<>(values);
    }

    String string(String key, String def) {
        known.add(key);
        String v = values.get(key);
        return v == null ? def : v.trim();
    }

    long longValue(String key, long def, long min, long max) {
        String v = string(key, null);
        if (v == null) {
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
        if (n < min || n > max) {
            throw bad(key, v, "between " + min + " and " + max);
        }
        return n;
    }

    int intValue(String key, int def, int min, int max) {
        return (int) longValue(key, def, min, max);
    }

    boolean bool(String key, boolean def) {
        String v = string(key, null);
        if (v == null) {
            return def;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw bad(key, v, "true or false");
    }

    /** Keys starting with {@code prefix}, with the prefix removed; all count as read. */
    Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                known.add(e.getKey());
                out.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return out;
    }

    IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("policy '" + policy + "': parameter '" + key + "' = '" + value
                + "' must be " + expected);
    }

    /** Call after reading every parameter the policy knows. */
    void requireNoOthers() {
        for (String key : new TreeSet<>(values.keySet())) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("policy '" + policy + "': unknown parameter '" + key
                        + "'" + (known.isEmpty() ? " (it takes none)" : " (known: " + String.join(", ", known) + ")"));
            }
        }
    }
}
