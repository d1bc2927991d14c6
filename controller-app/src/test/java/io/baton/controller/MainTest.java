package io.baton.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.baton.controller.config.ConfigLoaderTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Main.Parsed run(String... args) {
        return Main.parse(args, new PrintStream(out, true), new PrintStream(err, true));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path privateFile(String name, String content, String mode) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    private Path config(String secretMode) throws Exception {
        return config(secretMode, "rw-------");
    }

    private Path config(String secretMode, String tokenMode) throws Exception {
        Path secret = privateFile("secret", "s3cret\n", secretMode);
        Path token = privateFile("token", "tok\n", tokenMode);
        Path c = dir.resolve("baton.json");
        Files.writeString(c, ConfigLoaderTest.GOOD.replace("/etc/baton/secret", secret.toString())
                .replace("/etc/baton/token", token.toString()));
        return c;
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        assertEquals(0, run("--help").exitCode);
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: baton-controller --config FILE"));
    }

    @Test
    void badArgumentsAreRefusedWithAReasonAndExitCodeTwo() {
        assertEquals(Main.EXIT_USAGE, run("--frobnicate").exitCode);
        assertTrue(err().startsWith("baton-controller: unknown argument: --frobnicate"), err());
        assertTrue(err().contains("usage:"), "usage follows the reason");
        err.reset();
        assertEquals(Main.EXIT_USAGE, run().exitCode);
        assertTrue(err().startsWith("baton-controller: --config FILE is required"), err());
        err.reset();
        assertEquals(Main.EXIT_USAGE, run("--config").exitCode);
        assertTrue(err().startsWith("baton-controller: --config needs a file"), err());
    }

    @Test
    void aConfigErrorNamesTheFieldAndExitsThree() throws Exception {
        Path c = dir.resolve("bad.json");
        Files.writeString(c, ConfigLoaderTest.GOOD.replace("\"port\": 80,", "\"port\": \"eighty\","));
        assertEquals(Main.EXIT_CONFIG, run("--config", c.toString()).exitCode);
        assertTrue(err().startsWith("baton-controller: config error: services[0].port: must be a number"), err());
    }

    @Test
    void aSecretOthersCanReadIsRefused() throws Exception {
        assertEquals(Main.EXIT_CONFIG, run("--config", config("rw-r--r--").toString()).exitCode);
        assertTrue(err().contains("secret"), err());
    }

    @Test
    void aTokenOthersCanReadIsRefused() throws Exception {
        Path c = config("rw-------", "rw-r--r--");
        assertEquals(Main.EXIT_CONFIG, run("--config", c.toString()).exitCode);
        assertEquals("baton-controller: REST token file " + dir.resolve("token") + " has mode 0644: group/others"
                + " can read or write it; run chmod 600 " + dir.resolve("token"), err().strip());
    }

    @Test
    void aGoodConfigAndPrivateFilesAreAccepted() throws Exception {
        Main.Parsed p = run("--config", config("rw-------").toString());
        assertEquals(-1, p.exitCode, err());
        assertArrayEquals("tok".getBytes(StandardCharsets.UTF_8), p.token);
        assertEquals(1, p.config.services().size());
    }
}
