package io.baton.dispatcher.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzz test of {@link TlsClientHelloDecoder} (Jazzer): any bytes, split anywhere, never throw,
 * hold at most maxHelloBytes of handshake data, give the same outcome however split, decide at
 * a byte without looking ahead, and an accepted hello names a valid host.
 *
 * <p>Seeds (regression mode in every build) are in
 * {@code src/test/resources/io/baton/dispatcher/request/TlsClientHelloDecoderFuzzTestInputs}:
 * a real ClientHello of JDK 17's TLS client (SNI, ALPN, TLS 1.3 key shares), the same re-framed
 * into two records, and a TLS 1.2 hello without extensions.
 */
class TlsClientHelloDecoderFuzzTest {
    /** Below a real hello's size, so fuzzed variants of the seeds hit the bound too. */
    private static final int TIGHT = 256;

    @FuzzTest
    void anyBytesInAnySplitEndTheSame(byte[] input) {
        check(input, TlsClientHelloDecoder.DEFAULT_MAX_HELLO_BYTES);
        check(input, TIGHT);
    }

    private static void check(byte[] input, int max) {
        TlsClientHelloDecoder whole = new TlsClientHelloDecoder(max);
        TlsHelloResult r = whole.offer(input);
        assertTrue(whole.bufferCapacity() <= max, "holds " + whole.bufferCapacity());
        String expected = describe(r);
        assertEquals(expected, describe(inChunks(input, max, new Random(Arrays.hashCode(input)))), "chunks");

        // one byte at a time, noting where the outcome was decided
        TlsClientHelloDecoder d = new TlsClientHelloDecoder(max);
        TlsHelloResult step = TlsHelloResult.needMore();
        int decidedAt = -1;
        for (int i = 0; i < input.length && decidedAt < 0; i++) {
            step = d.offer(input, i, 1);
            assertTrue(d.bufferCapacity() <= max, "holds " + d.bufferCapacity());
            if (step.kind() != TlsHelloResult.Kind.NEED_MORE) {
                decidedAt = i + 1;
            }
        }
        assertEquals(expected, describe(step), "byte by byte");
        if (decidedAt < 0) {
            return;
        }
        // the bytes through the deciding one decide alone; one byte less is undecided
        assertEquals(expected, describe(new TlsClientHelloDecoder(max).offer(Arrays.copyOf(input, decidedAt))));
        assertEquals("NEED_MORE", describe(new TlsClientHelloDecoder(max).offer(Arrays.copyOf(input, decidedAt - 1))));
        if (r.isComplete()) {
            assertEquals(decidedAt, r.bytesRead(), "bytesRead is where the hello ended");
            checkHello(r.hello());
        } else {
            assertFalse(r.detail().isEmpty(), "a rejection says why");
        }
    }

    private static TlsHelloResult inChunks(byte[] input, int max, Random rnd) {
        TlsClientHelloDecoder d = new TlsClientHelloDecoder(max);
        TlsHelloResult r = TlsHelloResult.needMore();
        int off = 0;
        while (off < input.length) {
            int n = 1 + rnd.nextInt(Math.min(64, input.length - off));
            byte[] piece = Arrays.copyOfRange(input, off, off + n);
            r = d.offer(piece, 0, n);
            Arrays.fill(piece, (byte) 0x16); // the decoder must have copied what it keeps
            off += n;
            assertTrue(d.bufferCapacity() <= max, "holds " + d.bufferCapacity());
        }
        return r;
    }

    private static void checkHello(TlsClientHello h) {
        h.serverName().ifPresent(name -> assertTrue(isHostName(name), () -> "SNI '" + name + "' is not a host name"));
        for (String p : h.alpnProtocols()) {
            assertTrue(!p.isEmpty() && p.length() <= 255, "ALPN name of " + p.length() + " bytes");
        }
        for (int v : h.supportedVersions()) {
            assertTrue(v >= 0 && v <= 0xFFFF, "version " + v);
        }
    }

    /**
     * A DNS host name as rules compare it: lower-case labels of letters, digits, '-' and '_',
     * 1 to 63 characters each, at most 253 in all (RFC 1035 §2.3.4, RFC 6066 §3).
     */
    static boolean isHostName(String s) {
        if (s.isEmpty() || s.length() > 253) {
            return false;
        }
        for (String label : s.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                    return false;
                }
            }
        }
        return true;
    }

    static String describe(TlsHelloResult r) {
        switch (r.kind()) {
            case COMPLETE:
                TlsClientHello h = r.hello();
                return "COMPLETE " + r.bytesRead() + " " + h.serverName() + " " + h.alpnProtocols() + " "
                        + h.supportedVersions() + " " + h.legacyVersion();
            case REJECTED:
                return "REJECTED " + r.reason() + " " + r.detail();
            default:
                return "NEED_MORE";
        }
    }

    /** The committed seeds are real hellos, so the regression run starts from accepted input. */
    @Test
    void seedsAreCompleteHellos() throws IOException {
        for (String seed : new String[] {"jdk17-client-hello-sni-alpn", "jdk17-client-hello-two-records"}) {
            TlsHelloResult r = new TlsClientHelloDecoder().offer(seed(seed));
            assertTrue(r.isComplete(), () -> seed + ": " + r);
            assertEquals(Optional.of("www.example.org"), r.hello().serverName());
            assertEquals(List.of("h2", "http/1.1"), r.hello().alpnProtocols());
        }
        TlsHelloResult r = new TlsClientHelloDecoder().offer(seed("tls12-hello-without-extensions"));
        assertTrue(r.isComplete(), r::toString);
        assertEquals(Optional.empty(), r.hello().serverName());
    }

    static byte[] seed(String name) throws IOException {
        try (InputStream in = TlsClientHelloDecoderFuzzTest.class.getResourceAsStream(
                "TlsClientHelloDecoderFuzzTestInputs/" + name)) {
            if (in == null) {
                throw new IOException("no seed " + name);
            }
            return in.readAllBytes();
        }
    }
}
