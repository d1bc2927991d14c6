package io.baton.handoff.protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Set;

/**
 * Reads the shared secret. The file must be a regular file that neither group nor others can
 * read or write (e.g. mode 0600 or 0400). Trailing CR/LF bytes are dropped (so {@code echo s >
 * f} works); what remains must not be empty and is used as raw bytes. At most 64 KiB.
 */
public final class SecretFile {

    /** Largest accepted file. */
    public static final int MAX_SIZE = 65536;

    private SecretFile() {
    }

    /**
     * @return the secret bytes
     * @throws IOException with a message naming the file if it is missing, not a regular file,
     *                     open to group/others, empty or too large
     */
    public static byte[] read(Path file) throws IOException {
        return read(file, "secret file");
    }

    /**
     * As {@link #read(Path)}, for any file that must stay private (the REST token too); the
     * messages call it {@code what}, e.g. "REST token file", so an operator knows which to fix.
     */
    public static byte[] read(Path file, String what) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(what + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException(what + " " + file + " is not a regular file");
        }
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view != null) {
            Set<PosixFilePermission> perms = view.readAttributes().permissions();
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)
                    || perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IOException(what + " " + file + " has mode " + octal(perms)
                        + ": group/others can read or write it; run chmod 600 " + file);
            }
        }
        long size = Files.size(file);
        if (size > MAX_SIZE) {
            throw new IOException(what + " " + file + " is " + size + " bytes, more than " + MAX_SIZE);
        }
        byte[] b = Files.readAllBytes(file);
        int n = b.length;
        while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r')) {
            n--;
        }
        if (n == 0) {
            throw new IOException(what + " " + file + " is empty");
        }
        byte[] secret = Arrays.copyOf(b, n);
        Arrays.fill(b, (byte) 0);
        return secret;
    }

    private static String octal(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", mode);
    }
}
