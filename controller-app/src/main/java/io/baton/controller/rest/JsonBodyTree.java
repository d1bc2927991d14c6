package io.baton.controller.rest;

import com.google.gson.Gson;
import com.google.gson.JsonElement;

/** Plain values (maps, lists, numbers) as a Gson tree. */
final class JsonBodyTree {
    private static final Gson GSON = new Gson();

    private JsonBodyTree() {
    }

    static JsonElement of(Object value) {
        return GSON.toJsonTree(value);
    }
}
