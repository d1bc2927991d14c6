package io.baton.controller.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON value with its path from the document root, so that every error names the field
 * ("services[0].pools[1].servers[2]: not an IPv4 address"). Objects remember which fields were
 * read, so that unknown (misspelt) fields are refused rather than silently ignored.
 */
final class JsonNode {
    private final String path;
    private final JsonElement element;
    private final Set<String> read = new HashSet<>();

    JsonNode(String path, JsonElement element) {
        this.path = path;
        this.element = element;
    }

    String path() {
        return path;
    }

    String childPath(String name) {
        return child(name);
    }

    private String child(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    boolean isString() {
        return element != null && element.isJsonPrimitive() && element.getAsJsonPrimitive().isString();
    }

    JsonObject object() throws ConfigException {
        if (element == null || !element.isJsonObject()) {
            throw new ConfigException(path.isEmpty() ? "(root)" : path, "must be a JSON object");
        }
        return element.getAsJsonObject();
    }

    boolean has(String name) throws ConfigException {
        JsonElement e = object().get(name);
        return e != null && !e.isJsonNull();
    }

    JsonNode field(String name) throws ConfigException {
        read.add(name);
        return new JsonNode(child(name), object().get(name));
    }

    JsonNode required(String name) throws ConfigException {
        if (!has(name)) {
            throw new ConfigException(child(name), "is required");
        }
        return field(name);
    }

    String string() throws ConfigException {
        if (element == null || !element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
            throw new ConfigException(path, "must be a string");
        }
        return element.getAsString();
    }

    String string(String name, String dflt) throws ConfigException {
        return has(name) ? field(name).string() : markRead(name, dflt);
    }

    int integer(int min, int max) throws ConfigException {
        if (element == null || !element.isJsonPrimitive() || !element.getAsJsonPrimitive().isNumber()) {
            throw new ConfigException(path, "must be a number");
        }
        double d = element.getAsDouble();
        if (d != Math.rint(d) || d < min || d > max) {
            throw new ConfigException(path, "must be a whole number in " + min + ".." + max + ", not " + element);
        }
        return (int) d;
    }

    int integer(String name, int dflt, int min, int max) throws ConfigException {
        return has(name) ? field(name).integer(min, max) : markRead(name, dflt);
    }

    boolean bool(String name, boolean dflt) throws ConfigException {
        if (!has(name)) {
            return markRead(name, dflt);
        }
        JsonNode n = field(name);
        JsonElement e = n.element;
        if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isBoolean()) {
            throw new ConfigException(n.path, "must be true or false");
        }
        return e.getAsBoolean();
    }

    List<JsonNode> array() throws ConfigException {
        if (element == null || !element.isJsonArray()) {
            throw new ConfigException(path, "must be a JSON array");
        }
        JsonArray a = element.getAsJsonArray();
        List<JsonNode> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            out.add(new JsonNode(path + "[" + i + "]", a.get(i)));
        }
        return out;
    }

    /** A flat object of string (or number/bool) values, e.g. policy parameters. */
    Map<String, String> stringMap() throws ConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : object().entrySet()) {
            if (!e.getValue().isJsonPrimitive()) {
                throw new ConfigException(child(e.getKey()), "must be a string, number or boolean");
            }
            out.put(e.getKey(), e.getValue().getAsString());
        }
        return out;
    }

    /** Refuses fields that were never read: they are typos or options this version lacks. */
    void rejectUnknownFields() throws ConfigException {
        for (String name : object().keySet()) {
            if (!read.contains(name)) {
                throw new ConfigException(child(name), "unknown field");
            }
        }
    }

    private <T> T markRead(String name, T dflt) {
        read.add(name);
        return dflt;
    }
}
