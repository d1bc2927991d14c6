package io.baton.controller.rest;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import io.baton.controller.config.ConfigException;
import io.baton.controller.config.ConfigLoader;

import javax.ws.rs.Consumes;
import javax.ws.rs.Produces;
import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.MultivaluedMap;
import javax.ws.rs.core.Response;
import javax.ws.rs.ext.MessageBodyReader;
import javax.ws.rs.ext.MessageBodyWriter;
import javax.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * JSON in and out with Gson: request bodies are read as a {@link JsonElement} (strict JSON, at most
 * {@link #MAX_BODY_BYTES}), responses are any Gson-serialisable value.
 */
@Provider
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class JsonBody implements MessageBodyReader<JsonElement>, MessageBodyWriter<Object> {
    public static final int MAX_BODY_BYTES = 1 << 20;
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().setPrettyPrinting().create();

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return JsonElement.class.isAssignableFrom(type);
    }

    @Override
    public JsonElement readFrom(Class<JsonElement> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                                MultivaluedMap<String, String> headers, InputStream body) throws IOException {
        InputStream bounded = com.google.common.io.ByteStreams.limit(body, MAX_BODY_BYTES + 1L);
        byte[] bytes = bounded.readAllBytes();
        if (bytes.length > MAX_BODY_BYTES) {
            throw new WebApplicationException(ErrorResponses.of(Response.Status.REQUEST_ENTITY_TOO_LARGE, null,
                    "the body is larger than " + MAX_BODY_BYTES + " bytes"));
        }
        try {
            return ConfigLoader.readJson(new InputStreamReader(new java.io.ByteArrayInputStream(bytes), StandardCharsets.UTF_8));
        } catch (ConfigException e) {
            throw new WebApplicationException(ErrorResponses.of(Response.Status.BAD_REQUEST, null, e.reason()));
        }
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return !String.class.equals(type);
    }

    @Override
    public void writeTo(Object value, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                        MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        GSON.toJson(value, w);
        w.write('\n');
        w.flush();
    }
}
