package io.baton.opendaylight;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One call to Baton's REST API over HTTP, for the tests that reach it through a web server. */
final class RestCalls {
    private RestCalls() {
    }

    /** {@code body} null: none; {@code token} null: no Authorization header. */
    static HttpResponse<String> call(HttpClient http, String base, String method, String path, String body,
                                     String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
