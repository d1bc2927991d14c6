package io.baton.dispatcher.request;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Incremental decoder for the ClientHello that opens a TLS connection (RFC 8446 §4.1.2; the
 * same layout since TLS 1.0), one per connection, not thread-safe. Reads TLSPlaintext records
 * (§5.1), reassembles the handshake message across records and TCP segments, and extracts
 * server_name (RFC 6066 §3), application_layer_protocol_negotiation (RFC 7301 §3.1) and
 * supported_versions (RFC 8446 §4.2.1).
 *
 * <p>Never throws on any bytes: every length is checked against what encloses it. Rejects as
 * early as the bytes allow (NOT_TLS at the first byte that is not a handshake record), keeps
 * at most {@code maxHelloBytes} of handshake data, and is sticky once done.
 */
public final class TlsClientHelloDecoder {
    /** Real hellos are a few hundred bytes, ~1.8 KB with post-quantum key shares. */
    public static final int DEFAULT_MAX_HELLO_BYTES = 16384;

    private static final int CONTENT_HANDSHAKE = 22;
    private static final int HANDSHAKE_CLIENT_HELLO = 1;
    private static final int MAX_RECORD = 1 << 14;          // RFC 8446 §5.1
    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_ALPN = 16;
    private static final int EXT_SUPPORTED_VERSIONS = 43;

    private final int maxHelloBytes;
    private final byte[] header = new byte[5];
    private int headerFill;
    private int recordRemaining;   // payload bytes left in the current record
    private byte[] hs;
    private int hsFill;
    private int hsNeeded = -1;      // 4 + body length, once the handshake header is in
    private int streamBytes;
    private TlsHelloResult terminal;

    public TlsClientHelloDecoder() {
        this(DEFAULT_MAX_HELLO_BYTES);
    }

    public TlsClientHelloDecoder(int maxHelloBytes) {
        if (maxHelloBytes < 64) {
            throw new IllegalArgumentException("maxHelloBytes must be >= 64, was " + maxHelloBytes);
        }
        this.maxHelloBytes = maxHelloBytes;
        this.hs = new byte[Math.min(512, maxHelloBytes)];
    }

    /** Feeds the next bytes of the stream; throws only for an invalid buffer range. */
    public TlsHelloResult offer(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(src, "buf").length);
        if (terminal != null) {
            return terminal;
        }
        try {
            TlsHelloResult r = consume(src, off, len);
            if (r != null) {
                terminal = r;
                hs = null;
            }
            return r == null ? TlsHelloResult.needMore() : r;
        } catch (HeadRejection e) {
            terminal = TlsHelloResult.rejected(e.reason(), e.detail());
            hs = null;
            return terminal;
        }
    }

    public TlsHelloResult offer(byte[] src) {
        return offer(src, 0, src.length);
    }

    private TlsHelloResult consume(byte[] src, int off, int len) throws HeadRejection {
        int i = off;
        int end = off + len;
        while (i < end) {
            if (recordRemaining == 0) {
                header[headerFill++] = src[i++];
                streamBytes++;
                checkHeaderSoFar();
                if (headerFill == 5) {
                    headerFill = 0;
                    recordRemaining = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
                    if (recordRemaining == 0 || recordRemaining > MAX_RECORD) {
                        throw bad("handshake record length " + recordRemaining);
                    }
                }
                continue;
            }
            int n = Math.min(end - i, recordRemaining);
            int want = hsNeeded < 0 ? 4 - hsFill : hsNeeded - hsFill;
            n = Math.min(n, want);
            append(src, i, n);
            i += n;
            recordRemaining -= n;
            streamBytes += n;
            if (hsNeeded < 0 && hsFill == 4) {
                if (hs[0] != HANDSHAKE_CLIENT_HELLO) {
                    throw bad("first handshake message is type " + (hs[0] & 0xFF) + ", not client_hello");
                }
                int bodyLen = ((hs[1] & 0xFF) << 16) | ((hs[2] & 0xFF) << 8) | (hs[3] & 0xFF);
                if (bodyLen + 4L > maxHelloBytes) {
                    throw new HeadRejection(RejectReason.TLS_HELLO_TOO_LARGE,
                            "ClientHello of " + bodyLen + " bytes exceeds " + maxHelloBytes);
                }
                hsNeeded = 4 + bodyLen;
            }
            if (hsNeeded >= 0 && hsFill == hsNeeded) {
                return TlsHelloResult.complete(parseBody(hs, 4, hsNeeded), streamBytes);
            }
        }
        return null;
    }

    /** TLSPlaintext header: ContentType(22) ProtocolVersion(3, x) uint16 length. */
    private void checkHeaderSoFar() throws HeadRejection {
        int k = headerFill - 1;
        int b = header[k] & 0xFF;
        boolean first = streamBytes <= 5;
        if (k == 0 && b != CONTENT_HANDSHAKE) {
            if (first) {
                throw new HeadRejection(RejectReason.NOT_TLS, String.format("first byte 0x%02x is not a handshake record", b));
            }
            throw bad("record of content type " + b + " inside the ClientHello"); // RFC 8446 §5.1: no interleaving
        }
        if (k == 1 && b != 3) {
            throw new HeadRejection(first ? RejectReason.NOT_TLS : RejectReason.BAD_TLS_HELLO,
                    "record version major " + b + " is not 3");
        }
    }

    /** Bytes of buffer this decoder holds now (for tests of the memory bound): at most maxHelloBytes. */
    int bufferCapacity() {
        return hs == null ? 0 : hs.length;
    }

    /** hsFill + n never exceeds hsNeeded <= maxHelloBytes, so neither does the buffer. */
    private void append(byte[] src, int off, int n) {
        if (hsFill + n > hs.length) {
            hs = Arrays.copyOf(hs, Math.min(maxHelloBytes, Math.max(hs.length * 2, hsFill + n)));
        }
        System.arraycopy(src, off, hs, hsFill, n);
        hsFill += n;
    }

    /** ClientHello body, RFC 8446 §4.1.2. */
    static TlsClientHello parseBody(byte[] b, int start, int end) throws HeadRejection {
        Reader r = new Reader(b, start, end);
        TlsClientHello.Builder out = TlsClientHello.builder();
        out.legacyVersion(r.u16());
        r.skip(32); // random
        int sid = r.u8();
        if (sid > 32) {
            throw bad("legacy_session_id longer than 32");
        }
        r.skip(sid);
        int suites = r.u16();
        if (suites < 2 || suites % 2 != 0) {
            throw bad("cipher_suites length " + suites);
        }
        r.skip(suites);
        int comp = r.u8();
        if (comp < 1) {
            throw bad("empty legacy_compression_methods");
        }
        r.skip(comp);
        if (r.remaining() == 0) {
            return out.build(); // TLS 1.2 and earlier may omit extensions
        }
        Reader exts = r.sub(r.u16());
        if (r.remaining() != 0) {
            throw bad("bytes after extensions");
        }
        Set<Integer> seen = new HashSet<>();
        while (exts.remaining() > 0) {
            int type = exts.u16();
            Reader data = exts.sub(exts.u16());
            if (!seen.add(type)) {
                throw bad("extension " + type + " appears twice"); // RFC 8446 §4.2
            }
            switch (type) {
                case EXT_SERVER_NAME:
                    serverName(data, out);
                    break;
                case EXT_ALPN:
                    alpn(data, out);
                    break;
                case EXT_SUPPORTED_VERSIONS:
                    supportedVersions(data, out);
                    break;
                default:
                    break;
            }
        }
        return out.build();
    }

    /** RFC 6066 §3: ServerNameList of (NameType, opaque HostName<1..2^16-1>). */
    private static void serverName(Reader data, TlsClientHello.Builder out) throws HeadRejection {
        Reader list = data.sub(data.u16());
        if (data.remaining() != 0) {
            throw bad("bytes after server_name list");
        }
        boolean hostSeen = false;
        while (list.remaining() > 0) {
            int nameType = list.u8();
            int len = list.u16();
            if (nameType != 0) {
                list.skip(len);
                continue;
            }
            if (hostSeen) {
                throw bad("two host_name entries in server_name");
            }
            hostSeen = true;
            if (len == 0) {
                throw bad("empty host_name");
            }
            out.serverName(list.hostName(len));
        }
    }

    /** RFC 7301 §3.1: ProtocolNameList of opaque ProtocolName<1..2^8-1>, at least one. */
    private static void alpn(Reader data, TlsClientHello.Builder out) throws HeadRejection {
        int listLen = data.u16();
        if (listLen < 2) {
            throw bad("empty ALPN protocol list");
        }
        Reader list = data.sub(listLen);
        if (data.remaining() != 0) {
            throw bad("bytes after ALPN list");
        }
        while (list.remaining() > 0) {
            int len = list.u8();
            if (len == 0) {
                throw bad("empty ALPN protocol name");
            }
            out.addAlpn(list.latin1(len));
        }
    }

    /** RFC 8446 §4.2.1: ProtocolVersion versions<2..254> in a ClientHello. */
    private static void supportedVersions(Reader data, TlsClientHello.Builder out) throws HeadRejection {
        int len = data.u8();
        if (len < 2 || len % 2 != 0) {
            throw bad("supported_versions length " + len);
        }
        Reader list = data.sub(len);
        if (data.remaining() != 0) {
            throw bad("bytes after supported_versions");
        }
        while (list.remaining() > 0) {
            out.addSupportedVersion(list.u16());
        }
    }

    private static HeadRejection bad(String detail) {
        return new HeadRejection(RejectReason.BAD_TLS_HELLO, detail);
    }

    /** Bounds-checked big-endian reader over b[pos, end). */
    private static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int pos, int end) {
            this.b = b;
            this.pos = pos;
            this.end = end;
        }

        int remaining() {
            return end - pos;
        }

        private void need(int n) throws HeadRejection {
            if (n < 0 || n > end - pos) {
                throw bad("truncated ClientHello (a length exceeds its enclosing field)");
            }
        }

        int u8() throws HeadRejection {
            need(1);
            return b[pos++] & 0xFF;
        }

        int u16() throws HeadRejection {
            need(2);
            int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        void skip(int n) throws HeadRejection {
            need(n);
            pos += n;
        }

        Reader sub(int n) throws HeadRejection {
            need(n);
            Reader r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }

        /**
         * A DNS host name (RFC 6066 §3: "the fully qualified DNS hostname", ASCII; RFC 1035
         * §2.3.4 and RFC 1123 §2.1 for its syntax): dot-separated labels of 1 to 63 letters,
         * digits, '-' and '_' (underscores occur in real names), at most 253 characters without
         * one optional trailing dot. Anything else ("a..b", "x/y", "evil`.example.com") is not a
         * name a server could answer for, and a rule on "*.example.com" must not see it.
         */
        String hostName(int n) throws HeadRejection {
            need(n);
            int len = n > 1 && b[pos + n - 1] == '.' ? n - 1 : n;
            if (len > 253) {
                throw bad("host_name longer than 253 characters");
            }
            char[] c = new char[n];
            int label = 0;
            for (int i = 0; i < n; i++) {
                int x = b[pos + i] & 0xFF;
                if (x == '.') {
                    if (label == 0) { // leading dot, "..", or "." alone
                        throw bad("empty label in host_name");
                    }
                    label = 0;
                } else if (isLdhu(x)) {
                    if (++label > 63) {
                        throw bad("label longer than 63 characters in host_name");
                    }
                } else {
                    throw bad(String.format("byte 0x%02x in host_name", x));
                }
                c[i] = (char) x;
            }
            pos += n;
            return new String(c);
        }

        private static boolean isLdhu(int x) {
            return (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9') || x == '-' || x == '_';
        }

        String latin1(int n) throws HeadRejection {
            need(n);
            String s = new String(b, pos, n, java.nio.charset.StandardCharsets.ISO_8859_1);
            pos += n;
            return s;
        }
    }
}
