package io.baton.handoff.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** One or more instances of every message type, with edge values. */
final class Samples {

    private Samples() {
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static HandoffRequest request(int dataLength) {
        return HandoffRequest.builder()
                .handoffId(0x0123456789abcdefL)
                .clientIpv4(Ipv4.parse("10.0.0.7")).clientPort(54321)
                .localIpv4(Ipv4.parse("10.0.0.100")).localPort(80)
                .sendSeq(0xfedcba98).recvSeq(0x80000001)
                .mss(1460).sndWscale(7).rcvWscale(9)
                .sack(true).timestamps(true)
                .tsVal(0xffffffff).tsEcr(12345)
                .sndWnd(64240 << 2).rcvWnd(65535)
                .forwardBeforeCommit(true)
                .data(bytes(dataLength, dataLength))
                .build();
    }

    /** Small messages of every type (no big data). */
    static List<HandoffMessage> small() {
        List<HandoffMessage> l = new ArrayList<>();
        l.add(new Challenge(bytes(32, 1)));
        l.add(new Hello(bytes(32, 2), bytes(32, 3), Ipv4.parse("192.168.1.10"), 0x0242ac110002L, "default",
                Hello.CAP_NAT | Hello.CAP_DSR, new int[] {Ipv4.parse("10.0.0.100"), Ipv4.parse("10.0.0.101")}));
        l.add(new Hello(bytes(32, 4), bytes(32, 5), 0, 0xffffffffffffL, "stätic-ünïcode-€", 0, new int[0]));
        l.add(new Welcome(bytes(32, 6)));
        l.add(new Heartbeat(1_700_000_000_000L, 3));
        l.add(new Heartbeat(-1L, Integer.MIN_VALUE));
        l.add(request(0));
        l.add(request(27));
        l.add(HandoffRequest.builder().handoffId(-1).clientIpv4(-1).clientPort(65535).localIpv4(1).localPort(1)
                .sndWscale(-1).rcvWscale(-1).data("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)).build());
        l.add(new HandoffReady(42));
        l.add(new HandoffDrop(42, DropReason.NOT_MY_ADDRESS, "10.0.0.9 is not mine"));
        l.add(new HandoffDrop(Long.MIN_VALUE, 999, ""));
        l.add(new HandoffCommit(43));
        l.add(new HandoffAbort(Long.MAX_VALUE));
        l.add(new ConnectionClosed(42, 78, 5L * 1024 * 1024 + 100, CloseReason.NORMAL));
        l.add(new ConnectionClosed(43, 78, 1024, CloseReason.FINISHED));
        l.add(new ConnectionClosed(0, 0, Long.MAX_VALUE, 7));
        l.add(new LiveConnections(List.of(), true));
        l.add(new LiveConnections(List.of(new LiveConnections.Entry(7, Ipv4.parse("10.0.0.7"), 54321, Ipv4.parse("10.0.0.11"), 80),
                new LiveConnections.Entry(Long.MAX_VALUE, -1, 65535, 0, 0)), false));
        return l;
    }

    /** Every sample, including the largest request and longest fields. */
    static List<HandoffMessage> all() {
        List<HandoffMessage> l = small();
        l.add(request(HandoffWire.MAX_DATA));
        StringBuilder label = new StringBuilder();
        while (label.length() < HandoffWire.MAX_LABEL_BYTES) {
            label.append('x');
        }
        int[] vips = new int[HandoffWire.MAX_VIPS];
        for (int i = 0; i < vips.length; i++) {
            vips[i] = 0x0a000000 + i;
        }
        l.add(new Hello(bytes(32, 7), bytes(32, 8), 1, 1, label.toString(), 3, vips));
        StringBuilder detail = new StringBuilder();
        while (detail.length() < HandoffWire.MAX_DETAIL_BYTES) {
            detail.append('d');
        }
        l.add(new HandoffDrop(1, DropReason.REPAIR_FAILED, detail.toString()));
        l.add(new HealthChecks(java.util.List.of(
                new HealthChecks.Check("web/static", "/healthz", "", 2, 500, 200),
                new HealthChecks.Check("web/api", "/api/ping?x=1", "api.example", 3, 1000, 1000))));
        l.add(new HealthChecks(java.util.List.of()));
        l.add(new HealthReport("web/static", true, 200, ""));
        List<LiveConnections.Entry> live = new ArrayList<>();
        for (int i = 0; i < HandoffWire.MAX_LIVE_ENTRIES; i++) {
            live.add(new LiveConnections.Entry(1L << 40 | i, 0x0a000000 + i, i & 0xFFFF, 0x0a00000b, 80));
        }
        l.add(new LiveConnections(live, true));
        l.add(new HealthReport("web/api", false, 0, "connect refused"));
        return l;
    }
}
