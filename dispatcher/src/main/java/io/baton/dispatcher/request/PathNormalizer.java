package io.baton.dispatcher.request;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The path a content rule sees: percent-decoded, then dot segments removed (RFC 3986 §5.2.4),
 * then empty segments merged. Decoding comes first so that "/%2e%2e/admin" cannot slip past a
 * rule on "/admin" while the server resolves it there; merging "//" follows nginx's default
 * {@code merge_slashes on} for the same reason. Used for matching only: the bytes forwarded to
 * the server are untouched.
 */
public final class PathNormalizer {
    private PathNormalizer() {
    }

    /**
     * @param rawPath the path part of an origin-form or absolute-form target (starts with '/')
     * @throws HeadRejection on a malformed %-escape or an encoded NUL
     */
    static String normalize(String rawPath) throws HeadRejection {
        if (rawPath.indexOf('%') < 0 && rawPath.indexOf("/.") < 0 && rawPath.indexOf("//") < 0) {
            return rawPath; // the common case: nothing to decode or resolve
        }
        return removeDotSegments(percentDecode(rawPath));
    }

    /** Public for tests and tools; returns null if the input has a malformed escape or %00. */
    public static String normalizeOrNull(String rawPath) {
        try {
            return normalize(rawPath);
        } catch (HeadRejection e) {
            return null;
        }
    }

    static String percentDecode(String s) throws HeadRejection {
        if (s.indexOf('%') < 0) {
            return s;
        }
        int n = s.length();
        byte[] bytes = new byte[n];
        int len = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 1 < n ? Ascii.hexValue(s.charAt(i + 1)) : -1;
                int lo = i + 2 < n ? Ascii.hexValue(s.charAt(i + 2)) : -1;
                if (hi < 0 || lo < 0) {
                    throw new HeadRejection(RejectReason.BAD_REQUEST_LINE, "malformed percent-encoding in path");
                }
                int v = (hi << 4) | lo;
                if (v == 0) {
                    throw new HeadRejection(RejectReason.BAD_REQUEST_LINE, "%00 in path");
                }
                bytes[len++] = (byte) v;
                i += 2;
            } else {
                bytes[len++] = (byte) c; // the target is ASCII, checked by the decoder
            }
        }
        // Malformed UTF-8 becomes U+FFFD: the path is only matched, and rules are written in UTF-8.
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            CharBuffer out = dec.decode(ByteBuffer.wrap(bytes, 0, len));
            return out.toString();
        } catch (CharacterCodingException e) {
            throw new HeadRejection(RejectReason.BAD_REQUEST_LINE, "undecodable path"); // unreachable with REPLACE
        }
    }

    /** RFC 3986 §5.2.4 on segments, plus merging of empty segments; input starts with '/'. */
    static String removeDotSegments(String path) {
        List<String> out = new ArrayList<>();
        int n = path.length();
        int i = path.startsWith("/") ? 1 : 0;
        boolean trailingSlash = false;
        while (i <= n) {
            int end = path.indexOf('/', i);
            if (end < 0) {
                end = n;
            }
            String seg = path.substring(i, end);
            if (seg.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                trailingSlash = true;
            } else if (seg.equals(".") || seg.isEmpty()) {
                trailingSlash = true;
            } else {
                out.add(seg);
                trailingSlash = false;
            }
            i = end + 1;
        }
        StringBuilder sb = new StringBuilder(n);
        for (String seg : out) {
            sb.append('/').append(seg);
        }
        // Only the last segment decides: "/a/.." and "/a/" end in '/', "/a//b" does not.
        if (sb.length() == 0 || trailingSlash) {
            sb.append('/');
        }
        return sb.toString();
    }
}
