package io.baton.dispatcher.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TlsClientHelloDecoderTest {
    /** A real ClientHello, as the JDK's own TLS client writes it. */
    static byte[] jdkClientHello(String sni, String... alpn) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine engine = ctx.createSSLEngine(sni, 443);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(sni)));
        params.setApplicationProtocols(alpn);
        engine.setSSLParameters(params);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] b = new byte[out.remaining()];
        out.get(b);
        return b;
    }

    private static TlsHelloResult decode(byte[] b) {
        return new TlsClientHelloDecoder().offer(b, 0, b.length);
    }

    private static String describe(TlsHelloResult r) {
        return TlsClientHelloDecoderFuzzTest.describe(r);
    }

    @Test
    void decodesTheJdksClientHello() throws Exception {
        byte[] hello = jdkClientHello("API.Example.com", "h2", "http/1.1");
        TlsHelloResult r = decode(hello);
        assertTrue(r.isComplete(), r::toString);
        assertEquals(Optional.of("api.example.com"), r.hello().serverName());
        assertEquals(List.of("h2", "http/1.1"), r.hello().alpnProtocols());
        assertTrue(r.hello().supportedVersions().contains(0x0304), "TLS 1.3 offered");
        assertEquals(0x0303, r.hello().legacyVersion());
        assertEquals(hello.length, r.bytesRead());
    }

    @Test
    void sameResultAtEverySplitPoint() throws Exception {
        byte[] hello = jdkClientHello("www.example.org", "http/1.1");
        String expected = describe(decode(hello));
        for (int k = 0; k <= hello.length; k++) {
            TlsClientHelloDecoder d = new TlsClientHelloDecoder();
            byte[] scratch = Arrays.copyOf(hello, hello.length);
            TlsHelloResult first = d.offer(scratch, 0, k);
            Arrays.fill(scratch, 0, k, (byte) 0x55); // the caller may reuse its buffer
            TlsHelloResult r = d.offer(scratch, k, hello.length - k);
            assertEquals(expected, describe(r), "split at " + k);
            if (k < hello.length) {
                assertEquals(TlsHelloResult.Kind.NEED_MORE, first.kind());
            }
        }
        TlsClientHelloDecoder d = new TlsClientHelloDecoder();
        TlsHelloResult r = null;
        for (int i = 0; i < hello.length; i++) {
            r = d.offer(hello, i, 1);
        }
        assertEquals(expected, describe(r));
    }

    @Test
    void reassemblesAHelloFragmentedIntoManyRecords() throws Exception {
        byte[] hello = jdkClientHello("frag.example", "h2");
        byte[] body = Arrays.copyOfRange(hello, 5, hello.length); // the handshake message
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += 37) {
            int n = Math.min(37, body.length - i);
            out.write(new byte[] {22, 3, 1, (byte) (n >> 8), (byte) n}, 0, 5);
            out.write(body, i, n);
        }
        byte[] fragmented = out.toByteArray();
        TlsHelloResult r = decode(fragmented);
        assertEquals(Optional.of("frag.example"), r.hello().serverName());
        assertEquals(List.of("h2"), r.hello().alpnProtocols());
        assertEquals(fragmented.length, r.bytesRead());
    }

    @Test
    void minimalHelloWithoutExtensions() {
        byte[] body = new byte[2 + 32 + 1 + 2 + 2 + 1 + 1];
        body[0] = 3;
        body[1] = 1;
        body[35] = 0;
        body[36] = 2;  // one cipher suite
        body[37] = 0;
        body[38] = 0x2f;
        body[39] = 1;  // one compression method
        TlsHelloResult r = decode(record(handshake(body)));
        assertTrue(r.isComplete(), r::toString);
        assertEquals(Optional.empty(), r.hello().serverName());
        assertEquals(0x0301, r.hello().legacyVersion());
    }

    @Test
    void rejectsNonTlsAtTheFirstByte() {
        TlsClientHelloDecoder d = new TlsClientHelloDecoder();
        TlsHelloResult r = d.offer("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), 0, 1);
        assertEquals(RejectReason.NOT_TLS, r.reason());
        assertEquals(RejectReason.NOT_TLS, decode(new byte[] {22, 2}).reason(), "SSLv2/other major version");
    }

    @Test
    void rejectsMalformedHellos() throws Exception {
        byte[] hello = jdkClientHello("x.example", "h2");
        // an alert record instead of a handshake continuation
        byte[] alert = Arrays.copyOf(hello, 5 + 10);
        alert[3] = 0;
        alert[4] = 4;
        TlsClientHelloDecoder d = new TlsClientHelloDecoder();
        d.offer(alert, 0, 9);
        assertEquals(RejectReason.BAD_TLS_HELLO, d.offer(new byte[] {21, 3, 3, 0, 2}, 0, 5).reason());

        byte[] serverHello = hello.clone();
        serverHello[5] = 2;
        assertEquals(RejectReason.BAD_TLS_HELLO, decode(serverHello).reason());

        byte[] zeroRecord = {22, 3, 1, 0, 0};
        assertEquals(RejectReason.BAD_TLS_HELLO, decode(zeroRecord).reason());

        byte[] hugeRecord = {22, 3, 1, (byte) 0x40, 1};
        assertEquals(RejectReason.BAD_TLS_HELLO, decode(hugeRecord).reason());

        byte[] lying = hello.clone();
        lying[5 + 4 + 2 + 32] = (byte) 200; // session id length beyond 32
        assertEquals(RejectReason.BAD_TLS_HELLO, decode(lying).reason());
    }

    @Test
    void boundsTheHelloSize() throws Exception {
        byte[] hello = jdkClientHello("x.example");
        TlsHelloResult r = new TlsClientHelloDecoder(128).offer(hello, 0, hello.length);
        assertEquals(RejectReason.TLS_HELLO_TOO_LARGE, r.reason());
        byte[] claim = {22, 3, 1, 0, 4, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertEquals(RejectReason.TLS_HELLO_TOO_LARGE, decode(claim).reason(), "rejected from the length alone");
    }

    @Test
    void rejectsDuplicateExtensionsAndBadSni() {
        byte[] sni = {0, 0, 0, 6, 0, 4, 0, 0, 1, 'a'};
        assertTrue(decode(record(handshake(bodyWithExtensions(sni)))).isComplete());
        byte[] twice = concat(sni, sni);
        assertEquals(RejectReason.BAD_TLS_HELLO, decode(record(handshake(bodyWithExtensions(twice)))).reason());
        byte[] space = {0, 0, 0, 6, 0, 4, 0, 0, 1, ' '};
        assertEquals(RejectReason.BAD_TLS_HELLO, decode(record(handshake(bodyWithExtensions(space)))).reason());
        byte[] emptyAlpn = {0, 16, 0, 2, 0, 0};
        assertEquals(RejectReason.BAD_TLS_HELLO, decode(record(handshake(bodyWithExtensions(emptyAlpn)))).reason());
        byte[] overrun = {0, 0, 0, 9, 0, 4};
        assertEquals(RejectReason.BAD_TLS_HELLO, decode(record(handshake(bodyWithExtensions(overrun)))).reason());
    }

    private static TlsHelloResult withSni(String name) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        int list = 3 + n.length;
        byte[] ext = concat(new byte[] {0, 0, (byte) ((list + 2) >> 8), (byte) (list + 2), (byte) (list >> 8), (byte) list,
            0, (byte) (n.length >> 8), (byte) n.length}, n);
        return decode(record(handshake(bodyWithExtensions(ext))));
    }

    /** Found by fuzzing (seed crash-sni-not-a-host-name): any printable ASCII used to pass as SNI. */
    @Test
    void sniMustBeAHostName() {
        assertEquals(Optional.of("www.ex-ple.org"), withSni("WWW.ex-ple.org.").hello().serverName());
        assertEquals(Optional.of("_acme.x1"), withSni("_acme.x1").hello().serverName());
        String label63 = "a".repeat(63);
        String longest = String.join(".", label63, label63, label63, "a".repeat(61));
        assertEquals(253, longest.length());
        assertTrue(withSni(longest).isComplete());
        assertTrue(withSni(longest + ".").isComplete(), "a trailing dot does not count");
        for (String bad : new String[] {"www.ex`-ple.org", ".", "a..b", ".a", "a..", "x/y", "a:443", "[::1]",
            "a\\b", "\u00e9.example", label63 + "a.com", longest + "a"}) {
            TlsHelloResult r = withSni(bad);
            assertEquals(RejectReason.BAD_TLS_HELLO, r.isRejected() ? r.reason() : null, () -> bad + ": " + r);
        }
    }

    @Property(tries = 3000)
    void arbitraryBytesNeverThrow(@ForAll @Size(max = 300) byte[] input) {
        TlsHelloResult r = new TlsClientHelloDecoder(256).offer(input, 0, input.length);
        assertNotNull(r.kind());
    }

    @Property(tries = 1000)
    void mutatedRealHellosNeverThrowAndSplitsAgree(@ForAll @IntRange(min = 0, max = 100_000) int where,
                                                    @ForAll byte value, @ForAll @IntRange(min = 0, max = 100_000) int split)
            throws Exception {
        byte[] hello = HELLO.clone();
        hello[where % hello.length] = value;
        String whole = describe(decode(hello));
        int k = split % (hello.length + 1);
        TlsClientHelloDecoder d = new TlsClientHelloDecoder();
        d.offer(hello, 0, k);
        assertEquals(whole, describe(d.offer(hello, k, hello.length - k)));
        assertFalse(whole.isEmpty());
    }

    private static final byte[] HELLO;

    static {
        try {
            HELLO = jdkClientHello("mutate.example", "h2", "http/1.1");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static byte[] bodyWithExtensions(byte[] exts) {
        byte[] fixed = new byte[2 + 32 + 1 + 2 + 2 + 1 + 1];
        fixed[0] = 3;
        fixed[1] = 3;
        fixed[36] = 2;
        fixed[38] = 0x2f;
        fixed[39] = 1;
        return concat(fixed, new byte[] {(byte) (exts.length >> 8), (byte) exts.length}, exts);
    }

    private static byte[] handshake(byte[] body) {
        return concat(new byte[] {1, 0, (byte) (body.length >> 8), (byte) body.length}, body);
    }

    private static byte[] record(byte[] payload) {
        return concat(new byte[] {22, 3, 1, (byte) (payload.length >> 8), (byte) payload.length}, payload);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.write(p, 0, p.length);
        }
        return out.toByteArray();
    }
}
