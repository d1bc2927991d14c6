package io.baton.controller.frontend;

import io.baton.controller.config.FrontendSettings;
import io.baton.controller.config.ServiceConfig;
import io.baton.controller.connection.Connection;
import io.baton.controller.connection.ConnectionKey;
import io.baton.controller.connection.ConnectionState;
import io.baton.controller.connection.ConnectionTable;
import io.baton.controller.connection.Seq;
import io.baton.controller.connection.SynCookies;
import io.baton.controller.engine.EngineCounters;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.TcpOptions;
import io.baton.dispatcher.request.HeadResult;
import io.baton.dispatcher.request.HttpHeadDecoder;
import io.baton.dispatcher.request.HttpLimits;
import io.baton.dispatcher.request.RejectReason;
import io.baton.flowrules.api.SwitchId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.LongSupplier;

/**
 * The handshake front end: Baton plays the server's part of TCP until the request head is in.
 * SYN gets a SYN-ACK (MSS, SACK, window scale and timestamps negotiated as the client offers);
 * a retransmitted SYN gets the same answer; in-order data is acknowledged and fed to the head
 * decoder. When the half-open table is full, SYNs are answered with stateless cookies.
 * Engine thread only.
 */
public final class TcpFrontend {
    private static final Logger log = LoggerFactory.getLogger(TcpFrontend.class);

    private final FrontendSettings settings;
    private final ConnectionTable table;
    private final SynCookies cookies;
    private Predicate<ConnectionKey> resetStrayAcks = key -> false;
    private final ClientSender sender;
    private final HandoffSink sink;
    private final EngineCounters counters;
    private final LongSupplier nanoClock;
    private final HttpLimits limits;
    private final SplittableRandom random;

    public TcpFrontend(FrontendSettings settings, ConnectionTable table, SynCookies cookies, ClientSender sender,
                       HandoffSink sink, EngineCounters counters, LongSupplier nanoClock, long seed) {
        this.settings = settings;
        this.table = table;
        this.cookies = cookies;
        this.sender = sender;
        this.sink = sink;
        this.counters = counters;
        this.nanoClock = nanoClock;
        this.limits = HttpLimits.builder().maxHeadBytes(settings.maxHeadBytes()).build();
        this.random = new SplittableRandom(seed);
    }

    /**
     * Whether a pure ACK for a connection nobody knows gets a reset (RFC 793, CLOSED state), as
     * when a dead server's connections lost their rules: the client learns at once instead of
     * waiting out its own timeout. Off while the controller may still take such a connection
     * back after a restart (see ConnectionRecovery#resetsStrayAck).
     */
    public void resetStrayAcks(Predicate<ConnectionKey> when) {
        this.resetStrayAcks = when;
    }

    /** A TCP segment from a client to a service's VIP and port. */
    public void onSegment(ServiceConfig svc, SwitchId sw, int inPort, Frame f) {
        if (!f.tcpChecksumOk()) {
            counters.badTcpChecksum.increment();
            return;
        }
        ConnectionKey key = new ConnectionKey(f.ipSrc().toInt(), f.srcPort(), f.ipDst().toInt(), f.dstPort());
        Connection c = table.get(key);
        if (c == null) {
            onSegmentWithoutState(svc, sw, inPort, key, f);
            return;
        }
        switch (c.state()) {
            case SYN_RECEIVED:
                onSynReceived(svc, c, f);
                break;
            case COLLECTING:
                onCollecting(svc, c, f);
                break;
            default:
                if (f.has(Frame.TCP_RST)) {
                    if (acceptableReset(c, f)) {
                        counters.clientResets.increment();
                        sink.clientReset(svc, c, f);
                    } else {
                        counters.resetsIgnored.increment();
                    }
                } else {
                    sink.segmentAfterDispatch(svc, c, f);
                }
                break;
        }
    }

    private void onSegmentWithoutState(ServiceConfig svc, SwitchId sw, int inPort, ConnectionKey key, Frame f) {
        int flags = f.flags();
        if ((flags & Frame.TCP_RST) != 0) {
            if ((flags & Frame.TCP_SYN) != 0) {
                counters.invalidSegments.increment(); // SYN+RST: no stack sends it
            }
            return; // never answer a reset
        }
        if ((flags & (Frame.TCP_SYN | Frame.TCP_ACK | Frame.TCP_FIN)) == Frame.TCP_SYN) {
            // A port reused while the last connection's rules linger: its ACK would follow them.
            if (!sink.waitForClosedRules(svc, sw, inPort, key, f)) {
                onNewSyn(svc, sw, inPort, key, f);
            }
            return;
        }
        if ((flags & (Frame.TCP_SYN | Frame.TCP_ACK)) == Frame.TCP_ACK && (flags & Frame.TCP_FIN) == 0) {
            Connection c = fromCookie(sw, inPort, key, f);
            if (c != null) {
                onCollecting(svc, c, f);
                return;
            }
        }
        if ((flags & Frame.TCP_SYN) != 0 && (flags & (Frame.TCP_FIN | Frame.TCP_RST)) != 0) {
            counters.invalidSegments.increment();
            return;
        }
        if (f.payloadLength() > 0 || (flags & Frame.TCP_FIN) != 0) {
            // Data for a connection Baton does not know: the peer must learn it is gone.
            counters.invalidSegments.increment();
            counters.resetsSent.increment();
            sender.reset(sw, inPort, svc.virtualMac(), f);
        }
        if (resetStrayAcks.test(key)) {
            counters.strayAcksReset.increment();
            counters.resetsSent.increment();
            sender.reset(sw, inPort, svc.virtualMac(), f);
        }
        // Otherwise a stray pure ACK (e.g. the last ACK of a closed connection) is dropped silently.
    }

    private void onNewSyn(ServiceConfig svc, SwitchId sw, int inPort, ConnectionKey key, Frame f) {
        counters.synReceived.increment();
        TcpOptions offered = f.options();
        if (!table.hasRoomForPending()) {
            if (!table.hasRoom()) {
                counters.synDroppedTableFull.increment();
                return;
            }
            sendCookieSynAck(svc, sw, inPort, key, f);
            return;
        }
        Connection c = table.create(key, sw, inPort, f.ethSrc(), nanoClock.getAsLong(), ConnectionState.SYN_RECEIVED);
        c.clientIsn = f.seq();
        c.rcvNxt = f.seq() + 1;
        c.mss = Math.min(settings.mss(), offered.mss() > 0 ? offered.mss() : 536);
        c.sack = offered.sackPermitted();
        if (offered.windowScale() >= 0) {
            c.clientWindowScale = offered.windowScale();
            c.ourWindowScale = settings.windowScale();
        }
        c.timestamps = offered.timestamps();
        // The ISN is a cookie even with state kept, so that a restarted controller can take the
        // handshake over (see SynCookies); the TSval's low bits carry what the cookie cannot.
        int index = SynCookies.mssIndex(c.mss)
                + (!c.timestamps && c.clientWindowScale >= 0 ? SynCookies.NEEDS_STATE : 0);
        c.serverIsn = cookies.isn(key, f.seq(), index, nowMillis());
        if (c.timestamps) {
            int first = SynCookies.encodeTsVal((int) nowMillis() + random.nextInt(), c.sack, c.clientWindowScale);
            c.tsOffset = first - (int) nowMillis();
        } else {
            c.tsOffset = random.nextInt();
        }
        c.tsRecent = offered.tsVal();
        c.clientWindow = f.window(); // a SYN's window is never scaled (RFC 7323 §2.2)
        countZeroWindow(f);
        c.headDecoder = new HttpHeadDecoder(limits);
        sink.synAccepted(svc, c);
        sendSynAck(svc, c);
    }

    private void sendSynAck(ServiceConfig svc, Connection c) {
        int tsVal = tsVal(c);
        if (c.timestamps) {
            // A retransmitted SYN-ACK carries the options in its TSval too (the client may echo
            // this one), and later segments continue from it so TSval never goes back.
            int encoded = SynCookies.encodeTsVal(tsVal, c.sack, c.clientWindowScale);
            c.tsOffset += encoded - tsVal;
            tsVal = encoded;
        }
        TcpOptions opts = new TcpOptions(c.mss, c.ourWindowScale, c.sack, c.timestamps, tsVal, c.tsRecent);
        sender.send(c, svc.virtualMac(), Frame.TCP_SYN | Frame.TCP_ACK, c.serverIsn,
                Math.min(settings.receiveWindow(), 0xffff), opts, null);
    }

    private void sendCookieSynAck(ServiceConfig svc, SwitchId sw, int inPort, ConnectionKey key, Frame f) {
        TcpOptions offered = f.options();
        int mssIndex = SynCookies.mssIndex(offered.mss() > 0 ? Math.min(offered.mss(), settings.mss()) : 536);
        int isn = cookies.isn(key, f.seq(), mssIndex, nowMillis());
        int ourScale = offered.windowScale() >= 0 ? settings.windowScale() : -1;
        boolean sack = offered.sackPermitted() && offered.timestamps(); // only a timestamp can carry it back
        int clientScale = offered.timestamps() ? offered.windowScale() : -1;
        if (!offered.timestamps()) {
            ourScale = -1; // without a timestamp to carry the client's scale, offer none (as Linux does)
        }
        TcpOptions opts = new TcpOptions(SynCookies.mssOf(mssIndex), ourScale, sack, offered.timestamps(),
                SynCookies.encodeTsVal((int) nowMillis(), sack, clientScale), offered.tsVal());
        counters.synCookiesSent.increment();
        sender.reply(sw, inPort, svc.virtualMac(), f, Frame.TCP_SYN | Frame.TCP_ACK, isn, f.seq() + 1,
                Math.min(settings.receiveWindow(), 0xffff), opts);
    }

    /** Rebuilds a connection from the ACK of a cookie SYN-ACK, or null if it is none. */
    private Connection fromCookie(SwitchId sw, int inPort, ConnectionKey key, Frame f) {
        int clientIsn = f.seq() - 1;
        int mssIndex = cookies.check(key, clientIsn, f.ack() - 1, nowMillis());
        if (mssIndex < 0 || !table.hasRoom()) {
            return null;
        }
        if ((mssIndex & SynCookies.NEEDS_STATE) != 0) {
            counters.cookiesWithoutState.increment();
            return null; // the client's window scale went with the state (a restart): it gets a reset
        }
        // A cookie client skipped the half-open table but now waits for its head like any other:
        // it takes the place of the oldest half-open entry so the bound holds.
        if (!table.hasRoomForPending()) {
            if (table.evictOldestHalfOpen() == null) {
                counters.synDroppedTableFull.increment();
                return null;
            }
            counters.halfOpenEvicted.increment();
        }
        counters.synCookiesAccepted.increment();
        Connection c = table.create(key, sw, inPort, f.ethSrc(), nanoClock.getAsLong(), ConnectionState.COLLECTING);
        c.clientIsn = clientIsn;
        c.serverIsn = f.ack() - 1;
        c.rcvNxt = f.seq();
        c.mss = SynCookies.mssOf(mssIndex);
        TcpOptions opts = f.options();
        c.timestamps = opts.timestamps();
        if (c.timestamps) {
            c.sack = SynCookies.sackFromTsEcr(opts.tsEcr());
            c.clientWindowScale = SynCookies.windowScaleFromTsEcr(opts.tsEcr());
            c.ourWindowScale = c.clientWindowScale >= 0 ? settings.windowScale() : -1;
            // Continue the clock the client saw in the SYN-ACK's TSval.
            c.tsOffset = opts.tsEcr() - (int) nowMillis();
            c.tsRecent = opts.tsVal();
        }
        c.clientWindow = scaledWindow(c, f);
        c.headDecoder = new HttpHeadDecoder(limits);
        return c;
    }

    private void onSynReceived(ServiceConfig svc, Connection c, Frame f) {
        int flags = f.flags();
        if ((flags & Frame.TCP_RST) != 0) {
            if (f.seq() == c.rcvNxt) {
                counters.clientResets.increment();
                table.remove(c);
            } else {
                counters.resetsIgnored.increment();
            }
            return;
        }
        if ((flags & Frame.TCP_SYN) != 0) {
            if ((flags & Frame.TCP_ACK) == 0 && f.seq() == c.clientIsn) {
                counters.synRetransmitted.increment();
                sendSynAck(svc, c); // the same answer: same ISN, same options
            } else {
                counters.invalidSegments.increment();
            }
            return;
        }
        if ((flags & Frame.TCP_ACK) == 0) {
            counters.invalidSegments.increment();
            return;
        }
        if (f.ack() != c.serverIsn + 1) {
            counters.invalidSegments.increment();
            counters.resetsSent.increment();
            sender.reset(c.sw(), c.clientSwitchPort(), svc.virtualMac(), f); // RFC 793: unacceptable ACK in SYN-RECEIVED
            return;
        }
        table.moveTo(c, ConnectionState.COLLECTING);
        onCollecting(svc, c, f);
    }

    private void onCollecting(ServiceConfig svc, Connection c, Frame f) {
        int flags = f.flags();
        if ((flags & Frame.TCP_RST) != 0) {
            if (f.seq() == c.rcvNxt) {
                counters.clientResets.increment();
                table.remove(c);
            } else if (Seq.inWindow(f.seq(), c.rcvNxt, settings.receiveWindow())) {
                counters.challengeAcksSent.increment();
                sendAck(svc, c); // RFC 5961 §3.2 challenge ACK: an inexact reset may be blind
            } else {
                counters.resetsIgnored.increment(); // RFC 5961 §3.2: out of the window, dropped
            }
            return;
        }
        if ((flags & Frame.TCP_SYN) != 0) {
            counters.challengeAcksSent.increment();
            sendAck(svc, c); // RFC 5961 §4.2 challenge ACK
            return;
        }
        if ((flags & Frame.TCP_ACK) == 0) {
            counters.invalidSegments.increment();
            return;
        }
        int seq = f.seq();
        int off = f.payloadOffset();
        int len = f.payloadLength();
        if (c.timestamps && f.options().timestamps() && !Seq.after(seq, c.rcvNxt)) {
            c.tsRecent = f.options().tsVal(); // RFC 7323 §4.3: remember the TSval of in-window segments
        }
        c.clientWindow = scaledWindow(c, f);
        countZeroWindow(f);
        if (Seq.before(seq, c.rcvNxt)) { // a retransmission, perhaps with new bytes after the old
            if (len > 0 && c.receivedDiffers(seq, f.bytes(), off, len)) {
                // The bytes received first stay: they were parsed, and the server is handed exactly them.
                counters.overlapConflicts.increment();
            }
            int skip = c.rcvNxt - seq;
            if (skip >= len) {
                if (len > 0) {
                    sendAck(svc, c);
                }
                return;
            }
            off += skip;
            len -= skip;
            seq = c.rcvNxt;
        }
        if (seq != c.rcvNxt) {
            counters.outOfOrderSegments.increment();
            sendAck(svc, c); // a duplicate ACK asks for the gap; out-of-order bytes are not kept
            return;
        }
        if (len > 0) {
            c.appendReceived(f.bytes(), off, len);
            c.rcvNxt += len;
            HeadResult r = c.headDecoder.offer(f.bytes(), off, len);
            if (r.kind() == HeadResult.Kind.COMPLETE) {
                // The sink acknowledges the request once the handoff's own messages are out
                // (acknowledgeRequest): a packet-out now would go through the switch ahead of
                // the reply's rule and its barrier, which the first byte waits for.
                c.headDecoder = null;
                sink.requestReady(svc, c, r.head(), r.headLength());
                c.releaseReceived(); // the handoff request carries them; a tracked connection should not
                return;
            }
            if (r.kind() == HeadResult.Kind.REJECTED) {
                refuse(svc, c, r.reason(), r.detail()); // its answer or reset carries the ACK
                return;
            }
            sendAck(svc, c); // more of the head to come
        }
        if ((flags & Frame.TCP_FIN) != 0) {
            counters.clientClosedEarly.increment();
            abort(svc, c); // the client gave up before its request head was complete
        }
    }

    /** A request Baton will not serve: RST for what is not HTTP, an HTTP error answer otherwise. */
    public void refuse(ServiceConfig svc, Connection c, RejectReason reason, String detail) {
        log.info("{}: refused ({}: {})", c, reason, detail);
        if (reason == RejectReason.NOT_HTTP) {
            counters.notHttp.increment();
            abort(svc, c);
            return;
        }
        boolean dispatch = reason == RejectReason.POOL_EMPTY || reason == RejectReason.NO_SERVER
                || reason == RejectReason.POOL_SATURATED;
        (dispatch ? counters.dispatchRejected : counters.headRejected).increment();
        String status = dispatch ? "503 Service Unavailable"
                : reason == RejectReason.HEAD_TOO_LARGE ? "431 Request Header Fields Too Large" : "400 Bad Request";
        String body = status + " (" + reason + ")\n";
        byte[] answer = ("HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        sender.send(c, svc.virtualMac(), Frame.TCP_ACK | Frame.TCP_PSH | Frame.TCP_FIN, c.serverIsn + 1,
                advertisedWindow(c), tsOption(c), answer);
        table.remove(c);
    }

    /** Resets the client and forgets the connection. */
    public void abort(ServiceConfig svc, Connection c) {
        counters.resetsSent.increment();
        sender.send(c, svc.virtualMac(), Frame.TCP_RST | Frame.TCP_ACK, c.serverIsn + 1, 0, TcpOptions.NONE, null);
        table.remove(c);
    }

    /** Expires connections whose head did not complete in time (slowloris bound). */
    public void expire(ServiceLookup services) {
        long deadline = nanoClock.getAsLong() - settings.headTimeoutMillis() * 1_000_000L;
        for (Connection c : table.expirePending(deadline)) {
            counters.headTimeouts.increment();
            ServiceConfig svc = services.byKey(c.key());
            if (svc != null && c.state() == ConnectionState.COLLECTING) {
                counters.resetsSent.increment();
                sender.send(c, svc.virtualMac(), Frame.TCP_RST | Frame.TCP_ACK, c.serverIsn + 1, 0, TcpOptions.NONE, null);
            }
        }
    }

    /** The TSval clock of a connection now: the engine's milliseconds plus its random offset. */
    public int tsVal(Connection c) {
        return (int) nowMillis() + c.tsOffset;
    }

    /**
     * Acknowledges everything the client sent up to the end of its request head. The server's
     * answer would do it too, but a server that dies before answering would not: a client with
     * nothing unacknowledged stays silent, and so does the dead server's reply rule, which is
     * what lets the request go to another server.
     */
    public void acknowledgeRequest(ServiceConfig svc, Connection c) {
        sendAck(svc, c);
    }

    private void sendAck(ServiceConfig svc, Connection c) {
        sender.send(c, svc.virtualMac(), Frame.TCP_ACK, c.serverIsn + 1, advertisedWindow(c), tsOption(c), null);
    }

    private TcpOptions tsOption(Connection c) {
        return c.timestamps ? TcpOptions.timestampsOnly(tsVal(c), c.tsRecent) : TcpOptions.NONE;
    }

    private int advertisedWindow(Connection c) {
        int w = settings.receiveWindow();
        return c.ourWindowScale >= 0 ? w >>> c.ourWindowScale : Math.min(w, 0xffff);
    }

    /** A zero window before the handoff is legal (RFC 793 §3.7) but worth seeing: the server inherits it. */
    private void countZeroWindow(Frame f) {
        if (f.window() == 0) {
            counters.zeroWindowSegments.increment();
        }
    }

    private static int scaledWindow(Connection c, Frame f) {
        return c.clientWindowScale >= 0 ? f.window() << c.clientWindowScale : f.window();
    }

    private static boolean acceptableReset(Connection c, Frame f) {
        return f.seq() == c.rcvNxt;
    }

    private long nowMillis() {
        return nanoClock.getAsLong() / 1_000_000L;
    }

    /** Finds a connection's service again (for expiry, where only the key is at hand). */
    public interface ServiceLookup {
        ServiceConfig byKey(ConnectionKey key);
    }
}
