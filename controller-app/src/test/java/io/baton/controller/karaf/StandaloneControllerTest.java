package io.baton.controller.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.ConfigLoaderTest;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the Karaf component deletes Baton's rules on deactivation. SCR's reasons
 * ({@code ComponentConstants.DEACTIVATION_REASON_*}): 0 unspecified, 1 disabled, 2 reference,
 * 3 configuration modified, 4 configuration deleted, 5 disposed, 6 bundle stopped.
 * A real framework's answer (uninstall: deleted; shutdown: kept) is KarafStandaloneIT's part.
 */
class StandaloneControllerTest {
    private static final int BUNDLE_STOPPED = 6;
    private static final int CONFIGURATION_DELETED = 4;

    @TempDir
    Path dir;

    @Test
    void takingBatonAwayRemovesItsRules() {
        for (int reason : new int[] {0, 1, 2, CONFIGURATION_DELETED, 5, BUNDLE_STOPPED}) {
            assertTrue(StandaloneController.removesRules(reason, FrameworkState.RUNNING), "reason " + reason);
        }
    }

    @Test
    void aRestartKeepsThem() {
        assertFalse(StandaloneController.removesRules(BUNDLE_STOPPED, FrameworkState.STOPPING),
                "framework shutdown: the controller comes back with the framework");
        assertFalse(StandaloneController.removesRules(StandaloneController.REASON_CONFIGURATION_MODIFIED,
                FrameworkState.RUNNING), "configuration changed: deactivated and activated again at once");
        assertFalse(StandaloneController.removesRules(CONFIGURATION_DELETED, FrameworkState.UNKNOWN),
                "in doubt, keep: deleting during a restart would cut every handed-off connection");
    }

    @Test
    void outsideAFrameworkItsStateIsUnknown() {
        assertEquals(FrameworkState.UNKNOWN, FrameworkState.of(StandaloneController.class));
    }

    private Path file(String name, String content, String mode) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** What Configuration Admin would pass: the config file, and token and secret files or "" for the config's. */
    private static StandaloneControllerConfig settings(Path configFile, String tokenFile) {
        return new StandaloneControllerConfig() {
            @Override
            public String configFile() {
                return configFile.toString();
            }

            @Override
            public String secretFile() {
                return "";
            }

            @Override
            public String tokenFile() {
                return tokenFile;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return StandaloneControllerConfig.class;
            }
        };
    }

    /**
     * A token file others can read is refused at activation, whether the config names it or the
     * component's own property does: the component does not start, nothing listens.
     */
    @Test
    void aTokenOthersCanReadStopsTheActivation() throws Exception {
        Path secret = file("secret", "0123456789abcdef\n", "rw-------");
        Path privateToken = file("token", "tok\n", "rw-------");
        Path openToken = file("open-token", "tok\n", "rw-r--r--");
        int[] ports = {freePort(), freePort(), freePort()};
        for (boolean named : new boolean[] {false, true}) {
            Path config = file("baton.json", ConfigLoaderTest.GOOD
                    .replace("\"port\": 6653", "\"port\": " + ports[0])
                    .replace("\"port\": 7070", "\"port\": " + ports[1])
                    .replace("\"port\": 8181", "\"port\": " + ports[2])
                    .replace("/etc/baton/secret", secret.toString())
                    .replace("/etc/baton/token", (named ? privateToken : openToken).toString()), "rw-------");
            StandaloneController component = new StandaloneController();
            try {
                IOException e = assertThrows(IOException.class,
                        () -> component.activate(settings(config, named ? openToken.toString() : "")));
                assertEquals("REST token file " + openToken + " has mode 0644: group/others can read or write it;"
                        + " run chmod 600 " + openToken, e.getMessage());
                for (int port : ports) {
                    assertFalse(listening(port), "nothing listens on " + port);
                }
            } finally {
                component.deactivate(StandaloneController.REASON_CONFIGURATION_MODIFIED); // stops it, if it started
            }
        }
    }
}
