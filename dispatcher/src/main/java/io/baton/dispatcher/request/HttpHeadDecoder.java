package io.baton.dispatcher.request;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Incremental decoder for one HTTP/1.0 or HTTP/1.1 request head (RFC 9112 §2-§5), one per
 * connection, not thread-safe.
 *
 * <p>Bytes are examined one at a time through a state machine, so the outcome depends only on
 * the byte sequence, never on how TCP split it, and malformed input is rejected at the first
 * byte that proves it bad (a TLS record or SSH banner is NOT_HTTP after its first byte).
 * Line endings must be CRLF: RFC 9112 §2.2 permits accepting a bare LF, but the server we hand
 * the connection to may frame the head differently, and a routing decision must be made on the
 * same head the server will see. For the same reason obs-fold is rejected (RFC 9112 §5.2), as
 * is whitespace between a field name and its colon (§5.1).
 *
 * <p>The decoder copies what it reads (at most {@link HttpLimits#maxHeadBytes()}), so the
 * caller may reuse its buffer. Once COMPLETE or REJECTED, every further {@code offer} returns
 * the same result; bytes after the head are not read.
 */
public final class HttpHeadDecoder {
    /** Longest method accepted; registered methods are at most 17 characters (IANA registry). */
    static final int MAX_METHOD_LENGTH = 32;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';
    private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};

    private enum State {
        LEADING, LEADING_LF, METHOD, TARGET, VERSION, REQUEST_LINE_LF,
        FIELD_START, FIELD, FIELD_LF, END_LF
    }

    private final HttpLimits limits;
    private byte[] buf;
    private int count;            // bytes read so far == index of the next byte in buf
    private State state = State.LEADING;
    private int lineStart;
    private int methodStart;
    private int methodEnd;
    private int targetStart;
    private int targetEnd;
    private int versionStart;
    private int versionEnd;
    private int fieldEnd;
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();
    private HeadResult terminal;

    public HttpHeadDecoder(HttpLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.buf = new byte[Math.min(512, limits.maxHeadBytes())];
    }

    /**
     * Feeds the next {@code len} bytes of the stream. Never throws for any byte values; throws
     * only for invalid arguments (null buffer, range outside it), which are caller bugs.
     */
    public HeadResult offer(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, Objects.requireNonNull(src, "buf").length);
        if (terminal != null) {
            return terminal;
        }
        int max = limits.maxHeadBytes();
        int take = Math.min(len, max - count); // never keep more than the limit allows
        ensureCapacity(count + take);
        System.arraycopy(src, off, buf, count, take);
        HeadResult r;
        try {
            r = run(count + take);
        } catch (HeadRejection e) {
            r = HeadResult.rejected(e.reason(), e.detail());
        }
        if (r == null && count >= max) {
            r = HeadResult.rejected(RejectReason.HEAD_TOO_LARGE, "no end of head within " + max + " bytes");
        }
        if (r == null) {
            return HeadResult.needMore();
        }
        terminal = r;
        buf = null; // nothing more to read; let the copy go
        names.clear();
        values.clear();
        return r;
    }

    /**
     * Runs the state machine over buf[count, end), one byte at a time except where a tight loop
     * can skip bytes that cannot change the state (inside a field line or the target); the
     * byte that stops such a loop goes through {@link #step} like any other, so the outcome
     * and the position it is reached at do not depend on segment boundaries.
     */
    private HeadResult run(int end) throws HeadRejection {
        while (count < end) {
            if (state == State.FIELD) {
                int p = count;
                while (p < end) {
                    byte b = buf[p];
                    if (b == CR || b == LF) {
                        break;
                    }
                    p++;
                }
                count = p;
                if (p == end) {
                    return null;
                }
            } else if (state == State.TARGET) {
                int p = count;
                int limit = Math.min(end, targetStart + limits.maxTargetBytes());
                while (p < limit) {
                    byte b = buf[p];
                    if (b <= 0x20 || b == 0x7F || b == '#') { // negative bytes are 0x80..0xFF
                        break;
                    }
                    p++;
                }
                count = p;
                if (p == end) {
                    return null;
                }
            }
            HeadResult r = step(buf[count++]);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** Convenience for {@code offer(buf, 0, buf.length)}. */
    public HeadResult offer(byte[] src) {
        return offer(src, 0, src.length);
    }

    /** Bytes consumed so far (never more than maxHeadBytes). */
    public int bytesRead() {
        return count;
    }

    /** Bytes of buffer this decoder holds now (for tests of the memory bound): at most maxHeadBytes. */
    int bufferCapacity() {
        return buf == null ? 0 : buf.length;
    }

    private void ensureCapacity(int needed) {
        if (needed > buf.length) {
            int n = (int) Math.min(limits.maxHeadBytes(), Math.max(needed, 2L * buf.length));
            buf = Arrays.copyOf(buf, n);
        }
    }

    /** Advances the state machine over the byte at buf[count - 1]; non-null means done. */
    private HeadResult step(byte b) throws HeadRejection {
        int pos = count - 1;
        switch (state) {
            case LEADING:
                // RFC 9112 §2.2: a server SHOULD ignore empty lines before the request line.
                if (b == CR) {
                    state = State.LEADING_LF;
                    return null;
                }
                lineStart = pos;
                methodStart = pos;
                state = State.METHOD;
                return method(b, pos);
            case LEADING_LF:
                if (b != LF) {
                    throw new HeadRejection(RejectReason.NOT_HTTP, "CR not followed by LF before request line");
                }
                state = State.LEADING;
                return null;
            case METHOD:
                return method(b, pos);
            case TARGET:
                return target(b, pos);
            case VERSION:
                return version(b, pos);
            case REQUEST_LINE_LF:
                if (b != LF) {
                    throw new HeadRejection(RejectReason.BAD_REQUEST_LINE, "CR not followed by LF in request line");
                }
                state = State.FIELD_START;
                return null;
            case FIELD_START:
                if (b == CR) {
                    state = State.END_LF;
                    return null;
                }
                if (b == SP || b == HTAB) {
                    throw new HeadRejection(RejectReason.BAD_HEADER,
                            names.isEmpty() ? "whitespace before the first header field"
                                    : "obs-fold (line folding) is not accepted");
                }
                if (b == LF) {
                    throw new HeadRejection(RejectReason.BAD_HEADER, "bare LF in header section");
                }
                if (names.size() >= limits.maxHeaders()) {
                    throw new HeadRejection(RejectReason.TOO_MANY_HEADERS,
                            "more than " + limits.maxHeaders() + " header fields");
                }
                lineStart = pos;
                state = State.FIELD;
                return null;
            case FIELD:
                if (b == CR) {
                    fieldEnd = pos;
                    state = State.FIELD_LF;
                } else if (b == LF) {
                    throw new HeadRejection(RejectReason.BAD_HEADER, "bare LF in header field");
                }
                return null;
            case FIELD_LF:
                if (b != LF) {
                    throw new HeadRejection(RejectReason.BAD_HEADER, "CR not followed by LF in header field");
                }
                field(lineStart, fieldEnd);
                state = State.FIELD_START;
                return null;
            case END_LF:
                if (b != LF) {
                    throw new HeadRejection(RejectReason.BAD_HEADER, "CR not followed by LF at end of head");
                }
                return complete(count);
            default:
                throw new IllegalStateException(state.toString());
        }
    }

    private HeadResult method(byte b, int pos) throws HeadRejection {
        if (b == SP) {
            if (pos == lineStart) {
                throw new HeadRejection(RejectReason.NOT_HTTP, "request line starts with a space");
            }
            methodEnd = pos;
            targetStart = pos + 1;
            state = State.TARGET;
            return null;
        }
        if (!Ascii.isTchar(b)) {
            throw new HeadRejection(RejectReason.NOT_HTTP,
                    String.format("byte 0x%02x at offset %d cannot be in a method token", b & 0xFF, pos));
        }
        if (pos - lineStart >= MAX_METHOD_LENGTH) {
            throw new HeadRejection(RejectReason.NOT_HTTP, "method token longer than " + MAX_METHOD_LENGTH);
        }
        return null;
    }

    private HeadResult target(byte b, int pos) throws HeadRejection {
        if (b == SP) {
            if (pos == targetStart) {
                throw new HeadRejection(RejectReason.BAD_REQUEST_LINE, "empty request-target");
            }
            targetEnd = pos;
            versionStart = pos + 1;
            state = State.VERSION;
            return null;
        }
        if (b == CR || b == LF) {
            if (pos == targetStart) {
                throw new HeadRejection(RejectReason.BAD_REQUEST_LINE, "empty request-target");
            }
            throw new HeadRejection(RejectReason.UNSUPPORTED_VERSION, "request line without version (HTTP/0.9)");
        }
        if (b <= 0x20 || b == 0x7F || b == '#') { // negative bytes are 0x80..0xFF
            throw new HeadRejection(RejectReason.BAD_REQUEST_LINE,
                    String.format("byte 0x%02x in request-target", b & 0xFF));
        }
        if (pos - targetStart + 1 > limits.maxTargetBytes()) {
            throw new HeadRejection(RejectReason.TARGET_TOO_LONG,
                    "request-target longer than " + limits.maxTargetBytes() + " bytes");
        }
        return null;
    }

    /** HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3). */
    private HeadResult version(byte b, int pos) throws HeadRejection {
        int i = pos - versionStart;
        if (b == CR) {
            if (i != 8) {
                throw new HeadRejection(RejectReason.BAD_REQUEST_LINE, "malformed HTTP-version");
            }
            if (buf[versionStart + 5] != '1') {
                throw new HeadRejection(RejectReason.UNSUPPORTED_VERSION,
                        "HTTP/" + (char) buf[versionStart + 5] + " over a TCP byte stream");
            }
            versionEnd = pos;
            state = State.REQUEST_LINE_LF;
            return null;
        }
        boolean ok;
        if (i < 5) {
            ok = b == HTTP_SLASH[i];
        } else if (i == 5 || i == 7) {
            ok = Ascii.isDigit(b);
        } else {
            ok = i == 6 && b == '.';
        }
        if (!ok) {
            throw new HeadRejection(RejectReason.BAD_REQUEST_LINE, "malformed HTTP-version");
        }
        return null;
    }

    /** field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). */
    private void field(int start, int end) throws HeadRejection {
        int colon = start;
        while (colon < end && Ascii.isTchar(buf[colon])) {
            colon++;
        }
        if (colon == end || buf[colon] != ':') {
            boolean ws = colon < end && (buf[colon] == SP || buf[colon] == HTAB);
            throw new HeadRejection(RejectReason.BAD_HEADER,
                    ws ? "whitespace between field name and colon" : "malformed header field name");
        }
        if (colon == start) {
            throw new HeadRejection(RejectReason.BAD_HEADER, "empty header field name");
        }
        int vs = colon + 1;
        int ve = end;
        while (vs < ve && (buf[vs] == SP || buf[vs] == HTAB)) {
            vs++;
        }
        while (ve > vs && (buf[ve - 1] == SP || buf[ve - 1] == HTAB)) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            byte c = buf[i];
            // field-vchar = VCHAR / obs-text, plus SP and HTAB inside the value (RFC 9110 §5.5)
            if ((c >= 0 && c < 0x20 && c != HTAB) || c == 0x7F) {
                throw new HeadRejection(RejectReason.BAD_HEADER,
                        String.format("control byte 0x%02x in header field value", c & 0xFF));
            }
        }
        names.add(Ascii.lower(new String(buf, start, colon - start, StandardCharsets.US_ASCII)));
        values.add(new String(buf, vs, ve - vs, StandardCharsets.ISO_8859_1));
    }

    private HeadResult complete(int headLength) throws HeadRejection {
        String method = new String(buf, methodStart, methodEnd - methodStart, StandardCharsets.US_ASCII);
        String target = new String(buf, targetStart, targetEnd - targetStart, StandardCharsets.US_ASCII);
        String version = new String(buf, versionStart, versionEnd - versionStart, StandardCharsets.US_ASCII);
        HttpRequestHead head = HttpRequestHead.assemble(method, target, version, names, values);
        return HeadResult.complete(head, headLength);
    }
}
