package io.baton.dispatcher.request;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Test helpers: feed a decoder in different splits and describe results comparably. */
final class Feed {
    private Feed() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static HeadResult whole(byte[] b, HttpLimits limits) {
        return new HttpHeadDecoder(limits).offer(b, 0, b.length);
    }

    static HeadResult whole(String s) {
        return whole(bytes(s), HttpLimits.defaults());
    }

    /** Feeds b[0,k) then b[k,n), from a scratch buffer that is scribbled over after each offer. */
    static HeadResult split(byte[] b, int k, HttpLimits limits) {
        HttpHeadDecoder d = new HttpHeadDecoder(limits);
        byte[] scratch = new byte[b.length + 8];
        System.arraycopy(b, 0, scratch, 3, k);
        HeadResult r = d.offer(scratch, 3, k);
        Arrays.fill(scratch, (byte) 'X');
        System.arraycopy(b, k, scratch, 5, b.length - k);
        r = d.offer(scratch, 5, b.length - k);
        Arrays.fill(scratch, (byte) 0);
        return r;
    }

    static HeadResult byteByByte(byte[] b, HttpLimits limits) {
        HttpHeadDecoder d = new HttpHeadDecoder(limits);
        byte[] one = new byte[1];
        HeadResult r = HeadResult.needMore();
        for (byte x : b) {
            one[0] = x;
            r = d.offer(one, 0, 1);
        }
        return r;
    }

    /** Everything a caller can observe about a result, as one comparable string. */
    static String describe(HeadResult r) {
        switch (r.kind()) {
            case COMPLETE:
                HttpRequestHead h = r.head();
                StringBuilder sb = new StringBuilder("COMPLETE len=").append(r.headLength())
                        .append(" m=").append(h.method()).append(" t=").append(h.target())
                        .append(" v=").append(h.version()).append(" p=").append(h.path())
                        .append(" q=").append(h.query()).append(" host=").append(h.host())
                        .append(" cookies=").append(h.cookies());
                for (String n : h.headerNames()) {
                    sb.append(' ').append(n).append('=').append(h.headers(n));
                }
                return sb.toString();
            case REJECTED:
                return "REJECTED " + r.reason() + " " + r.detail();
            default:
                return "NEED_MORE";
        }
    }
}
