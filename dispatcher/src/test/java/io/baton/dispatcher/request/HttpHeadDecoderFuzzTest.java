package io.baton.dispatcher.request;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzz test of {@link HttpHeadDecoder} (Jazzer). The contract: any bytes, split anywhere, never
 * throw, end in COMPLETE, REJECTED or (only while the limit is not reached) NEED_MORE, hold at
 * most maxHeadBytes, and the outcome depends only on the bytes, never on the split.
 *
 * <p>In a plain build this runs in regression mode on the seeds in
 * {@code src/test/resources/io/baton/dispatcher/request/HttpHeadDecoderFuzzTestInputs}; fuzzing
 * mode (JAZZER_FUZZ=1) is described in the module's README. Each input is decoded with the
 * default limits and with tight ones, so that short inputs reach every limit too.
 */
class HttpHeadDecoderFuzzTest {
    private static final HttpLimits TIGHT = HttpLimits.builder().maxHeadBytes(96).maxHeaders(3).maxTargetBytes(24).build();
    private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

    @FuzzTest
    void anyBytesInAnySplitEndTheSame(byte[] input) {
        check(input, HttpLimits.defaults());
        check(input, TIGHT);
    }

    private static void check(byte[] input, HttpLimits limits) {
        HttpHeadDecoder whole = new HttpHeadDecoder(limits);
        HeadResult r = whole.offer(input);
        assertBounded(whole, limits);
        String expected = Feed.describe(r);

        // the same bytes in pieces: random split points (seeded by the input, so a finding
        // reproduces) and one byte at a time
        assertEquals(expected, Feed.describe(inChunks(input, limits, new Random(Arrays.hashCode(input)))), "chunks");
        assertEquals(expected, Feed.describe(Feed.byteByByte(input, limits)), "byte by byte");

        int read = whole.bytesRead();
        switch (r.kind()) {
            case NEED_MORE:
                assertEquals(input.length, read, "NEED_MORE must have read everything");
                assertTrue(read < limits.maxHeadBytes(), "NEED_MORE although the limit is reached");
                break;
            case COMPLETE:
                checkComplete(input, limits, r, read);
                break;
            default:
                assertFalse(r.detail().isEmpty(), "a rejection says why");
                assertDecidedAt(input, limits, read, expected);
        }
    }

    /** Feeds the input in random pieces, checking the bound and the consumed count after each. */
    private static HeadResult inChunks(byte[] input, HttpLimits limits, Random rnd) {
        HttpHeadDecoder d = new HttpHeadDecoder(limits);
        HeadResult r = HeadResult.needMore();
        int off = 0;
        while (off < input.length) {
            int n = 1 + rnd.nextInt(Math.min(64, input.length - off));
            byte[] piece = Arrays.copyOfRange(input, off, off + n);
            r = d.offer(piece, 0, n);
            Arrays.fill(piece, (byte) 'X'); // the decoder must have copied what it keeps
            off += n;
            assertBounded(d, limits);
            if (r.kind() == HeadResult.Kind.NEED_MORE) {
                assertEquals(off, d.bytesRead(), "NEED_MORE must have consumed every byte offered");
            }
        }
        return r;
    }

    private static void assertBounded(HttpHeadDecoder d, HttpLimits limits) {
        assertTrue(d.bufferCapacity() <= limits.maxHeadBytes(), () -> "holds " + d.bufferCapacity() + " bytes");
        assertTrue(d.bytesRead() <= limits.maxHeadBytes(), () -> "read " + d.bytesRead() + " bytes");
    }

    /**
     * The outcome is fixed by the first {@code read} bytes: that prefix alone gives the same
     * result, one byte less is still undecided. So the decoder never looks ahead, and a head
     * is complete at its CRLFCRLF, not later.
     */
    private static void assertDecidedAt(byte[] input, HttpLimits limits, int read, String expected) {
        assertTrue(read >= 1 && read <= input.length, "decided at " + read);
        assertEquals(expected, Feed.describe(Feed.whole(Arrays.copyOf(input, read), limits)), "prefix through decision");
        assertEquals("NEED_MORE", Feed.describe(Feed.whole(Arrays.copyOf(input, read - 1), limits)), "one byte less");
    }

    private static void checkComplete(byte[] input, HttpLimits limits, HeadResult r, int read) {
        int len = r.headLength();
        assertEquals(len, read, "bytes after the head are not read");
        assertTrue(len <= limits.maxHeadBytes(), "head longer than the limit");
        assertArrayEquals(CRLFCRLF, Arrays.copyOfRange(input, len - 4, len), "a head ends with CRLFCRLF");
        assertDecidedAt(input, limits, len, Feed.describe(r));

        HttpRequestHead h = r.head();
        assertTrue(h.fieldCount() <= limits.maxHeaders(), "more fields than the limit");
        assertTrue(h.target().length() <= limits.maxTargetBytes(), "target longer than the limit");
        assertTrue(h.version().matches("HTTP/1\\.[0-9]"), h.version());
        assertTrue(h.method().length() <= HttpHeadDecoder.MAX_METHOD_LENGTH, h.method());
        String path = h.path();
        if (!path.equals("*") && !path.isEmpty()) {
            assertTrue(path.startsWith("/"), path);
            assertEquals(path, PathNormalizer.removeDotSegments(path), "path not normalised");
            assertFalse(path.indexOf('\0') >= 0, "NUL in path");
        }
        h.host().ifPresent(host -> assertEquals(Ascii.lower(host), host, "host not lower-case"));
        if (h.isHttp11OrLater()) {
            assertEquals(1, h.headers("host").size(), "HTTP/1.1 needs exactly one Host");
        }

        // The head re-written canonically (no leading empty lines, "name: value", one line per
        // value) decodes to the same head: nothing depends on the formatting the parser dropped.
        byte[] canonical = canonical(h);
        HeadResult again = Feed.whole(canonical, HttpLimits.defaults());
        assertEquals(withoutLength(Feed.describe(r)), withoutLength(Feed.describe(again)), "canonical re-parse");
        assertEquals(canonical.length, again.headLength());
    }

    private static byte[] canonical(HttpRequestHead h) {
        StringBuilder sb = new StringBuilder();
        sb.append(h.method()).append(' ').append(h.target()).append(' ').append(h.version()).append("\r\n");
        for (String name : h.headerNames()) {
            for (String value : h.headers(name)) {
                sb.append(name).append(": ").append(value).append("\r\n");
            }
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String withoutLength(String description) {
        return description.replaceFirst("^COMPLETE len=\\d+ ", "COMPLETE ");
    }

    /** The committed seeds are what their names say, so the regression run covers real heads. */
    @Test
    void validSeedsDecodeCompletely() throws IOException {
        for (String seed : new String[] {"get-minimal", "get-browser", "post-with-body", "absolute-form-dot-segments",
            "http10-no-host", "options-asterisk", "connect-authority", "pipelined-two-requests"}) {
            HeadResult r = Feed.whole(seed(seed), HttpLimits.defaults());
            assertTrue(r.isComplete(), () -> seed + ": " + r);
        }
        HttpRequestHead h = Feed.whole(seed("absolute-form-dot-segments"), HttpLimits.defaults()).head();
        assertEquals("/b/c/d e", h.path());
        assertEquals("shop.example.com", h.host().get());
    }

    static byte[] seed(String name) throws IOException {
        try (InputStream in = HttpHeadDecoderFuzzTest.class.getResourceAsStream("HttpHeadDecoderFuzzTestInputs/" + name)) {
            if (in == null) {
                throw new IOException("no seed " + name);
            }
            return in.readAllBytes();
        }
    }
}
