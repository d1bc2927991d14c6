package io.baton.controller.config;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;

/**
 * The one owner of the controller's config document. The REST API proposes new services; the
 * store checks the whole document they make (the same checks as at start, so what it saves is
 * what the next start loads), writes it atomically (temporary file, fsync, rename, fsync of the
 * folder: never a torn file) and only then reports it current. Nothing is half-applied: a change
 * that fails a check or cannot be written leaves the document and the file as they were.
 */
public final class ConfigStore {
    private final Path file;
    private JsonObject document;
    private BatonConfig current;
    private long version;

    private ConfigStore(Path file, JsonObject document, BatonConfig current) {
        this.file = file;
        this.document = document;
        this.current = current;
    }

    /** Loads {@code file}; changes are written back to it. */
    public static ConfigStore open(Path file) throws ConfigException {
        JsonElement root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = ConfigLoader.readJson(r);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read: " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        BatonConfig config = ConfigLoader.parse(root, dir);
        return new ConfigStore(file, root.getAsJsonObject(), config);
    }

    /** A store that keeps changes in memory only (embedded uses such as Karaf, tests). */
    public static ConfigStore inMemory(BatonConfig config) {
        JsonObject doc = new JsonObject();
        doc.add("services", ConfigWriter.services(config.services()));
        return new ConfigStore(null, doc, config);
    }

    public synchronized BatonConfig current() {
        return current;
    }

    /** Counts accepted changes; 0 for the document as loaded. */
    public synchronized long version() {
        return version;
    }

    /** The file changes are saved to, or null. */
    public Path file() {
        return file;
    }

    /**
     * Checks, saves and adopts a document with these services in place of the current ones.
     *
     * @throws ConfigException the document would not load (nothing changed)
     * @throws IOException     it could not be saved (nothing changed)
     */
    public synchronized BatonConfig replaceServices(List<ServiceConfig> services) throws ConfigException, IOException {
        Objects.requireNonNull(services, "services");
        JsonObject next = document.deepCopy();
        next.add("services", ConfigWriter.services(services));
        // The rest of the document is unchanged and was valid, so checking the services checks it all.
        BatonConfig parsed = current.withServices(ConfigLoader.parseServices(next.get("services")));
        if (file != null) {
            writeAtomically(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(next) + "\n");
        }
        document = next;
        current = parsed;
        version++;
        return parsed;
    }

    static void writeAtomically(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            if (Files.exists(target)) {
                // Keep the operator's permissions on the config (createTempFile makes it 0600).
                Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically: " + e.getMessage(), e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself survives a crash
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
