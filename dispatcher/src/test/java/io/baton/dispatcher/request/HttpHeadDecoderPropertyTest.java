package io.baton.dispatcher.request;

import static io.baton.dispatcher.request.Feed.describe;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Assertions;

class HttpHeadDecoderPropertyTest {
    private static final HttpLimits SMALL = HttpLimits.builder().maxHeadBytes(300).maxHeaders(6).maxTargetBytes(60).build();

    @Property(tries = 3000)
    void arbitraryBytesNeverThrow(@ForAll @Size(max = 400) byte[] input) {
        HeadResult r = Feed.whole(input, SMALL);
        Assertions.assertNotNull(r.kind());
        if (r.isRejected()) {
            Assertions.assertNotNull(r.reason());
        }
    }

    @Property(tries = 2000)
    void splitNeverChangesTheResult(@ForAll("nearHttp") byte[] input, @ForAll @IntRange(min = 0, max = 1000) int at) {
        int k = Math.min(at, input.length);
        Assertions.assertEquals(describe(Feed.whole(input, SMALL)), describe(Feed.split(input, k, SMALL)));
    }

    @Property(tries = 500)
    void byteByByteNeverChangesTheResult(@ForAll("nearHttp") byte[] input) {
        Assertions.assertEquals(describe(Feed.whole(input, SMALL)), describe(Feed.byteByByte(input, SMALL)));
    }

    @Property(tries = 1000, maxDiscardRatio = 10)
    void completeHeadLengthPointsJustPastTheBlankLine(@ForAll("nearHttp") byte[] input) {
        HeadResult r = Feed.whole(input, SMALL);
        Assume.that(r.isComplete());
        int n = r.headLength();
        Assertions.assertTrue(n >= 4 && n <= input.length);
        Assertions.assertEquals("\r\n\r\n", new String(input, n - 4, 4, StandardCharsets.ISO_8859_1));
    }

    @Property(tries = 300)
    void wellFormedRequestsComplete(@ForAll("validHttp") String text) {
        HeadResult r = Feed.whole(Feed.bytes(text), SMALL);
        Assertions.assertTrue(r.isComplete(), () -> describe(r) + " for " + text);
        Assertions.assertEquals(text.indexOf("\r\n\r\n") + 4, r.headLength());
    }

    /** Well-formed heads followed by a body. */
    @Provide
    Arbitrary<String> validHttp() {
        Arbitrary<String> line = Arbitraries.of("GET / HTTP/1.1", "POST /a/../b HTTP/1.1", "OPTIONS * HTTP/1.1",
                "CONNECT h:443 HTTP/1.1", "GET http://h:1/p?q HTTP/1.1", "GET /%2e%2e/x?y=1 HTTP/1.0", "PUT /a//b/./c HTTP/1.1");
        Arbitrary<String> headers = Arbitraries.of("X: y\r\n", "Cookie: a=1; b=\"2\"\r\n", "Content-Length: 5\r\n",
                "Accept:  text/html \t\r\n", "X-Opaque: \u00e9\u00ff\r\n").list().ofMaxSize(4)
                .map(l -> String.join("", l));
        Arbitrary<String> host = Arbitraries.of("Host: h\r\n", "Host: [::1]:80\r\n", "Host: Example.COM.\r\n");
        return Combinators.combine(line, host, headers).as((l, h, x) -> l + "\r\n" + h + x + "\r\nbody");
    }

    /** Well-formed requests with up to three random byte substitutions: reaches every state. */
    @Provide
    Arbitrary<byte[]> nearHttp() {
        Arbitrary<int[]> edits = Arbitraries.integers().between(0, 1 << 20).array(int[].class).ofMaxSize(3);
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofSize(3);
        return Combinators.combine(validHttp(), edits, noise).as((t, e, z) -> {
            byte[] b = t.getBytes(StandardCharsets.ISO_8859_1);
            for (int i = 0; i < e.length; i++) {
                b[e[i] % b.length] = z[i];
            }
            return b;
        });
    }
}
