package io.baton.dispatcher.request;

import static io.baton.dispatcher.request.Feed.bytes;
import static io.baton.dispatcher.request.Feed.describe;
import static io.baton.dispatcher.request.Feed.whole;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpHeadDecoderTest {
    private static final String FULL = "GET /shop/%7Euser/./a/../cart?id=7&x=%41 HTTP/1.1\r\n"
            + "Host: WWW.Example.COM:8080\r\n"
            + "User-Agent: test/1.0\r\n"
            + "Accept: text/html\r\n"
            + "Accept: application/json\r\n"
            + "Cookie: JSESSIONID=abc.node2; theme=\"dark\"\r\n"
            + "Cookie: lang=en; theme=light\r\n"
            + "X-Empty:\r\n"
            + "\r\n";

    @Test
    void parsesACompleteHead() {
        HeadResult r = whole(FULL + "BODY");
        assertEquals(HeadResult.Kind.COMPLETE, r.kind());
        assertEquals(FULL.length(), r.headLength());
        HttpRequestHead h = r.head();
        assertEquals("GET", h.method());
        assertEquals("/shop/%7Euser/./a/../cart?id=7&x=%41", h.target());
        assertEquals("/shop/~user/cart", h.path());
        assertEquals("id=7&x=%41", h.query());
        assertEquals("HTTP/1.1", h.version());
        assertEquals(Optional.of("www.example.com"), h.host());
        assertEquals(Optional.of("test/1.0"), h.header("user-agent"));
        assertEquals(Optional.of("test/1.0"), h.header("USER-AGENT"));
        assertEquals(Optional.of("text/html, application/json"), h.header("Accept"));
        assertEquals(List.of("text/html", "application/json"), h.headers("accept"));
        assertEquals(Optional.of(""), h.header("x-empty"));
        assertEquals(Optional.empty(), h.header("x-missing"));
        assertEquals(List.of(), h.headers("x-missing"));
        assertEquals(Optional.of("abc.node2"), h.cookie("JSESSIONID"));
        assertEquals(Optional.of("dark"), h.cookie("theme"), "first occurrence wins, quotes removed");
        assertEquals(Optional.of("en"), h.cookie("lang"));
        assertEquals(Optional.empty(), h.cookie("jsessionid"), "cookie names are case-sensitive");
        assertEquals(Optional.of("JSESSIONID=abc.node2; theme=\"dark\"; lang=en; theme=light"), h.header("cookie"));
        assertEquals(7, h.fieldCount());
    }

    /** Only a safe method without a body may reach a server that might give the connection back. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                 | true",
        "HEAD / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                | true",
        "OPTIONS * HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                             | true",
        "TRACE / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                               | true",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0\\r\\n\\r\\n          | true",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\n\\r\\n          | false",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | false",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0\\r\\n\\r\\n         | false",
        "PUT / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0\\r\\n\\r\\n          | false",
        "DELETE / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                              | false",
        "get / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                 | false",
    })
    void aSafeMethodWithoutABodyMayBeRepeated(String request, boolean safe) {
        HeadResult r = whole(request.strip().replace("\\r\\n", "\r\n"));
        assertTrue(r.isComplete(), () -> describe(r));
        assertEquals(safe, r.head().isSafeWithoutBody());
    }

    @Test
    void sameResultAtEverySplitPointAndByteByByte() {
        for (String req : List.of(FULL, "\r\n\r\nGET / HTTP/1.0\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n",
                "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "\u0016\u0003\u0001\u0002\u0000\u0001",
                "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/2.0\r\n\r\n")) {
            byte[] b = bytes(req + "tail bytes");
            String expected = describe(whole(b, HttpLimits.defaults()));
            for (int k = 0; k <= b.length; k++) {
                assertEquals(expected, describe(Feed.split(b, k, HttpLimits.defaults())), "split at " + k + " of " + req);
            }
            assertEquals(expected, describe(Feed.byteByByte(b, HttpLimits.defaults())), "byte by byte: " + req);
        }
    }

    @Test
    void needsMoreUntilTheBlankLine() {
        HttpHeadDecoder d = new HttpHeadDecoder(HttpLimits.defaults());
        byte[] b = bytes(FULL);
        assertEquals(HeadResult.Kind.NEED_MORE, d.offer(b, 0, b.length - 1).kind());
        assertEquals(b.length - 1, d.bytesRead());
        HeadResult r = d.offer(b, b.length - 1, 1);
        assertTrue(r.isComplete());
        assertSame(r, d.offer(bytes("GARBAGE")), "terminal results are sticky");
        assertEquals(0, d.offer(new byte[0], 0, 0).headLength() - r.headLength());
    }

    @Test
    void resultAccessorsGuardTheirKind() {
        HeadResult more = HeadResult.needMore();
        assertThrows(IllegalStateException.class, more::head);
        assertThrows(IllegalStateException.class, more::reason);
        HeadResult rej = whole("\u0016");
        assertThrows(IllegalStateException.class, rej::head);
        assertThrows(IllegalStateException.class, rej::headLength);
        HeadResult ok = whole("GET / HTTP/1.0\r\n\r\n");
        assertThrows(IllegalStateException.class, ok::reason);
        assertThrows(IllegalStateException.class, ok::detail);
    }

    @Test
    void leadingEmptyLinesAreSkippedButCounted() {
        HeadResult r = whole("\r\n\r\nGET /x HTTP/1.0\r\n\r\n");
        assertTrue(r.isComplete());
        assertEquals(4 + 17 + 2, r.headLength());
        assertEquals("/x", r.head().path());
        assertEquals(Optional.empty(), r.head().host(), "HTTP/1.0 needs no Host");
    }

    @Test
    void tlsIsRejectedAtTheFirstByte() {
        HttpHeadDecoder d = new HttpHeadDecoder(HttpLimits.defaults());
        HeadResult r = d.offer(new byte[] {0x16}, 0, 1);
        assertEquals(RejectReason.NOT_HTTP, r.reason());
        assertEquals(1, d.bytesRead());
    }

    @Test
    void absoluteFormHostWinsOverHostHeader() {
        HttpRequestHead h = whole("GET http://Origin.Example:81/a/b?q HTTP/1.1\r\nHost: other\r\n\r\n").head();
        assertEquals(Optional.of("origin.example"), h.host());
        assertEquals("/a/b", h.path());
        assertEquals("q", h.query());
        HttpRequestHead bare = whole("GET https://x.example HTTP/1.1\r\nHost: x.example\r\n\r\n").head();
        assertEquals("/", bare.path());
    }

    @Test
    void otherTargetForms() {
        HttpRequestHead opt = whole("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").head();
        assertEquals("*", opt.path());
        HttpRequestHead con = whole("CONNECT Db.Example:443 HTTP/1.1\r\nHost: db.example:443\r\n\r\n").head();
        assertEquals(Optional.of("db.example"), con.host());
        assertEquals("", con.path());
        HttpRequestHead v6 = whole("GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n").head();
        assertEquals(Optional.of("[::1]"), v6.host());
        HttpRequestHead dot = whole("GET / HTTP/1.1\r\nHost: example.com.\r\n\r\n").head();
        assertEquals(Optional.of("example.com"), dot.host());
        HttpRequestHead empty = whole("GET / HTTP/1.1\r\nHost:\r\n\r\n").head();
        assertEquals(Optional.empty(), empty.host(), "an empty Host is allowed and names no host");
        HttpRequestHead minor = whole("GET / HTTP/1.2\r\nHost: h\r\n\r\n").head();
        assertEquals("HTTP/1.2", minor.version(), "higher minors are processed as 1.1 (RFC 9110 §6.2)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/|/",
        "/a/b/c|/a/b/c",
        "/a/b/|/a/b/",
        "/a/./b|/a/b",
        "/a/../b|/b",
        "/../../etc/passwd|/etc/passwd",
        "/a/b/..|/a/",
        "/a/.|/a/",
        "/a//b|/a/b",
        "//a|/a",
        "/%2e%2e/admin|/admin",
        "/static/%2E%2E/%2e%2E/admin/|/admin/",
        "/a%2Fb|/a/b",
        "/caf%C3%A9|/café",
        "/%ff|/\uFFFD",
        "/a/..b/c|/a/..b/c",
        "/.hidden|/.hidden",
        "/a/b/../../..|/",
    })
    void pathIsDecodedAndNormalised(String raw, String expected) {
        HeadResult r = whole("GET " + raw + " HTTP/1.1\r\nHost: h\r\n\r\n");
        assertEquals(expected, r.head().path());
        assertEquals(raw, r.head().target(), "target keeps the raw text");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // clearly not HTTP, rejected at the first offending byte
        "\\x16\\x03\\x01\\x00\\xa5\\x01|NOT_HTTP",
        "SSH-2.0-OpenSSH_9.6\\r\\n|NOT_HTTP",
        "' GET / HTTP/1.1\\r\\n'|NOT_HTTP",
        "\\r\\x00|NOT_HTTP",
        "G(T / HTTP/1.1\\r\\n|NOT_HTTP",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\\r\\n|NOT_HTTP",
        // request line
        "GET  / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET / HTTP/1.1 \\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET / http/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET / HTTP/1.1\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET / HTTP/1.1\\rHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET / HTTP/1.10\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET /a\\x01 HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET /a\\xc3\\xa9 HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET /a#frag HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET /%zz HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET /a%2 HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET /a%00b HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET a/b HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET * HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET http://u:p@h/ HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "GET 1http://h/ HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        "CONNECT h:443/x HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n|BAD_REQUEST_LINE",
        // version
        "GET / HTTP/2.0\\r\\n\\r\\n|UNSUPPORTED_VERSION",
        "PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n|UNSUPPORTED_VERSION",
        "GET /\\r\\n|UNSUPPORTED_VERSION",
        // header fields
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nX-A: 1\\r\\n continued\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\n Host: h\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost : h\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\n: v\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nNo-Colon\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nX(: v\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\x00b\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\x7fb\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\nX: v\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\nX: a\\rb\\r\\n\\r\\n|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\n\\r\\r|BAD_HEADER",
        "GET / HTTP/1.1\\r\\nHost: h\\r\\n\\n|BAD_HEADER",
        "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 1x\\r\\n\\r\\n|BAD_HEADER",
        "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\n|BAD_HEADER",
        "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: 3, 4\\r\\n\\r\\n|BAD_HEADER",
        "POST / HTTP/1.1\\r\\nHost: h\\r\\nContent-Length: -1\\r\\n\\r\\n|BAD_HEADER",
        // Host
        "GET / HTTP/1.1\\r\\n\\r\\n|BAD_HOST",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n|BAD_HOST",
        "GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n|BAD_HOST",
        "GET / HTTP/1.1\\r\\nHost: a/b\\r\\n\\r\\n|BAD_HOST",
        "GET / HTTP/1.1\\r\\nHost: a:8x\\r\\n\\r\\n|BAD_HOST",
        "GET / HTTP/1.1\\r\\nHost: :80\\r\\n\\r\\n|BAD_HOST",
        "GET / HTTP/1.1\\r\\nHost: [::1\\r\\n\\r\\n|BAD_HOST",
        "GET / HTTP/1.1\\r\\nHost: [zz]\\r\\n\\r\\n|BAD_HOST",
    })
    void malformedInputGivesItsReason(String escaped, RejectReason reason) {
        byte[] b = unescape(escaped);
        HeadResult r = Feed.whole(b, HttpLimits.defaults());
        assertEquals(HeadResult.Kind.REJECTED, r.kind(), () -> describe(r));
        assertEquals(reason, r.reason(), r.detail());
        assertFalse(r.detail().isEmpty());
        for (int k = 0; k <= b.length; k++) {
            assertEquals(describe(r), describe(Feed.split(b, k, HttpLimits.defaults())));
        }
    }

    @Test
    void limitsAreEnforcedAtTheirBoundary() {
        String head = "GET /abcdefghij HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n";
        HttpLimits exact = HttpLimits.builder().maxHeadBytes(head.length()).maxHeaders(3).maxTargetBytes(11).build();
        assertTrue(Feed.whole(bytes(head), exact).isComplete());

        HttpLimits small = HttpLimits.builder().maxHeadBytes(head.length() - 1).build();
        HeadResult tooLarge = Feed.whole(bytes(head), small);
        assertEquals(RejectReason.HEAD_TOO_LARGE, tooLarge.reason());

        HttpLimits twoHeaders = HttpLimits.builder().maxHeaders(2).build();
        assertEquals(RejectReason.TOO_MANY_HEADERS, Feed.whole(bytes(head), twoHeaders).reason());

        HttpLimits shortTarget = HttpLimits.builder().maxTargetBytes(10).build();
        assertEquals(RejectReason.TARGET_TOO_LONG, Feed.whole(bytes(head), shortTarget).reason());
    }

    @Test
    void limitRejectionsAreTheSameAtEverySplitPoint() {
        byte[] b = bytes("GET /abcdefghijklmnop HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        HttpLimits[] limits = {
            HttpLimits.builder().maxTargetBytes(5).build(),
            HttpLimits.builder().maxTargetBytes(16).build(),
            HttpLimits.builder().maxHeadBytes(40).build(),
            HttpLimits.builder().maxHeaders(2).build(),
            HttpLimits.builder().maxHeadBytes(b.length).maxTargetBytes(17).maxHeaders(4).build(),
        };
        String[] expected = {"TARGET_TOO_LONG", "TARGET_TOO_LONG", "HEAD_TOO_LARGE", "TOO_MANY_HEADERS", "COMPLETE"};
        for (int i = 0; i < limits.length; i++) {
            String whole = describe(Feed.whole(b, limits[i]));
            assertTrue(whole.contains(expected[i]), whole);
            for (int k = 0; k <= b.length; k++) {
                assertEquals(whole, describe(Feed.split(b, k, limits[i])), limits[i] + " split at " + k);
            }
            assertEquals(whole, describe(Feed.byteByByte(b, limits[i])));
        }
    }

    @Test
    void headTooLargeIsReportedWithoutWaitingForMoreBytes() {
        HttpLimits limits = HttpLimits.builder().maxHeadBytes(20).build();
        HttpHeadDecoder d = new HttpHeadDecoder(limits);
        byte[] b = bytes("GET / HTTP/1.1\r\nHost: abcdefgh");
        assertEquals(RejectReason.HEAD_TOO_LARGE, d.offer(b, 0, 20).reason());
        assertEquals(20, d.bytesRead());
    }

    @Test
    void tooManyHeadersIsReportedAtTheFirstExtraFieldByte() {
        HttpHeadDecoder d = new HttpHeadDecoder(HttpLimits.builder().maxHeaders(1).build());
        byte[] b = bytes("GET / HTTP/1.1\r\nHost: h\r\nX");
        HeadResult r = d.offer(b, 0, b.length);
        assertEquals(RejectReason.TOO_MANY_HEADERS, r.reason());
    }

    @Test
    void rejectsBadArgumentsButNotBadBytes() {
        HttpHeadDecoder d = new HttpHeadDecoder(HttpLimits.defaults());
        assertThrows(IndexOutOfBoundsException.class, () -> d.offer(new byte[2], 1, 2));
        assertThrows(NullPointerException.class, () -> d.offer(null, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> HttpLimits.builder().maxHeadBytes(0));
    }

    @Test
    void builderAppliesTheSameChecks() {
        HttpRequestHead h = HttpRequestHead.builder().method("POST").target("/a/../b?x").host("H.example:1")
                .header("Cookie", "s=1").build();
        assertEquals("/b", h.path());
        assertEquals(Optional.of("h.example"), h.host());
        assertEquals(Optional.of("1"), h.cookie("s"));
        assertThrows(IllegalArgumentException.class, () -> HttpRequestHead.builder().build(), "1.1 without Host");
        assertThrows(IllegalArgumentException.class,
                () -> HttpRequestHead.builder().host("h").header("X", "a\r\nb").build());
        assertThrows(IllegalArgumentException.class, () -> HttpRequestHead.builder().host("h").target("/%").build());
        assertThrows(IllegalArgumentException.class, () -> HttpRequestHead.builder().host("h").version("HTTP/2").build());
    }

    /** Test-only escapes: \r \n \xHH. */
    static byte[] unescape(String s) {
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char e = s.charAt(i + 1);
                if (e == 'r') {
                    out[n++] = '\r';
                    i++;
                    continue;
                }
                if (e == 'n') {
                    out[n++] = '\n';
                    i++;
                    continue;
                }
                if (e == 'x') {
                    out[n++] = (byte) Integer.parseInt(s.substring(i + 2, i + 4), 16);
                    i += 3;
                    continue;
                }
            }
            out[n++] = (byte) c;
        }
        return Arrays.copyOf(out, n);
    }
}
