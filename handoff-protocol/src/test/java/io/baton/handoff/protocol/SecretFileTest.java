package io.baton.handoff.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretFileTest {

    @TempDir
    Path dir;

    private Path write(String name, String content, String mode) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content.getBytes(StandardCharsets.UTF_8));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        return p;
    }

    @Test
    void readsAPrivateFileAndDropsTheTrailingNewline() throws IOException {
        assertArrayEquals("abc def".getBytes(StandardCharsets.UTF_8), SecretFile.read(write("s", "abc def\r\n", "rw-------")));
        assertArrayEquals("x\n y".getBytes(StandardCharsets.UTF_8), SecretFile.read(write("t", "x\n y", "r--------")));
    }

    @Test
    void refusesAFileOthersCanRead() throws IOException {
        Path p = write("s", "abc", "rw-r--r--");
        IOException e = assertThrows(IOException.class, () -> SecretFile.read(p));
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0644"), e.getMessage());
        Path g = write("g", "abc", "rw-r-----");
        assertTrue(assertThrows(IOException.class, () -> SecretFile.read(g)).getMessage().contains("0640"));
        Path w = write("w", "abc", "rw-----w-");
        assertTrue(assertThrows(IOException.class, () -> SecretFile.read(w)).getMessage().contains("0602"));
    }

    @Test
    void messagesNameTheKindOfFileTheCallerReads() throws IOException {
        Path p = write("token", "abc", "rw-r--r--");
        String m = assertThrows(IOException.class, () -> SecretFile.read(p, "REST token file")).getMessage();
        assertTrue(m.startsWith("REST token file " + p + " has mode 0644"), m);
    }

    @Test
    void refusesEmptyMissingAndDirectories() throws IOException {
        Path empty = write("e", "", "rw-------");
        assertTrue(assertThrows(IOException.class, () -> SecretFile.read(empty)).getMessage().contains("empty"));
        Path nl = write("n", "\n", "rw-------");
        assertTrue(assertThrows(IOException.class, () -> SecretFile.read(nl)).getMessage().contains("empty"));
        Path missing = dir.resolve("missing");
        assertTrue(assertThrows(IOException.class, () -> SecretFile.read(missing)).getMessage().contains("does not exist"));
        assertTrue(assertThrows(IOException.class, () -> SecretFile.read(dir)).getMessage().contains("not a regular file"));
    }
}
