package io.baton.controller.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.baton.controller.Main;
import io.baton.controller.config.ConfigLoader;
import io.baton.controller.config.ConfigLoaderTest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The REST API answers only on the address it is configured with. All of 127.0.0.0/8 is local
 * on Linux, so a controller told to listen on 127.0.0.2 can be asked on 127.0.0.1 and 127.0.0.3
 * as well: a wildcard bind would answer there, a bind to the configured address refuses.
 */
class RestListenAddressTest {
    private static final String TOKEN = "s3cret-token";
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Main.Controller controller;

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void connect(String address, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2_000);
        }
    }

    @Test
    void onlyTheConfiguredAddressAnswers() throws Exception {
        int rest = freePort();
        String json = ConfigLoaderTest.GOOD
                .replace("\"port\": 6653", "\"port\": " + freePort())
                .replace("\"port\": 7070", "\"port\": " + freePort())
                .replace("\"rest\": {\"port\": 8181", "\"rest\": {\"address\": \"127.0.0.2\", \"port\": " + rest);
        controller = Main.Controller.start(ConfigLoader.parse(json, Path.of("/cfg")), SECRET,
                TOKEN.getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> stats = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.2:" + rest + "/api/v1/stats"))
                        .header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, stats.statusCode(), "the configured address answers: " + stats.body());
        for (String other : new String[] {"127.0.0.3", "127.0.0.1"}) {
            assertThrows(ConnectException.class, () -> connect(other, rest), other + " is refused");
        }
    }
}
