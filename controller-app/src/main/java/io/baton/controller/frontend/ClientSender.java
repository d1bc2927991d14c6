package io.baton.controller.frontend;

import io.baton.controller.connection.Connection;
import io.baton.controller.packet.Frame;
import io.baton.controller.packet.FrameBuilder;
import io.baton.controller.packet.TcpOptions;
import io.baton.controller.southbound.Southbound;
import io.baton.flowrules.api.FlowAction;
import io.baton.flowrules.api.Ipv4Address;
import io.baton.flowrules.api.MacAddress;
import io.baton.flowrules.api.PacketOut;
import io.baton.flowrules.api.SwitchId;

import java.util.List;

/** Sends the front end's segments to clients, as the VIP, by packet-out on the client's port. */
public final class ClientSender {
    private final Southbound southbound;

    public ClientSender(Southbound southbound) {
        this.southbound = southbound;
    }

    /** A segment on an established front-end connection. */
    public void send(Connection c, MacAddress vmac, int flags, int seq, int window, TcpOptions options, byte[] payload) {
        byte[] frame = FrameBuilder.tcp(vmac, c.clientMac(), Ipv4Address.of(c.key().vip()),
                Ipv4Address.of(c.key().clientIp()), c.key().vipPort(), c.key().clientPort(),
                seq, c.rcvNxt, flags, window, options, payload);
        out(c.sw(), c.clientSwitchPort(), frame);
    }

    /**
     * An ACK the client cannot accept (its sequence number is the long past ISN), to which the
     * client answers with an ACK saying where it is (RFC 793 §3.9, RFC 5961 §5). For a
     * connection whose server died, that answer reaches the controller, which resets it: a
     * client that only waits for data learns at once, not at its own timeout.
     */
    public void provokeAck(Connection c, MacAddress vmac, MacAddress clientMac) {
        byte[] frame = FrameBuilder.tcp(vmac, clientMac, Ipv4Address.of(c.key().vip()),
                Ipv4Address.of(c.key().clientIp()), c.key().vipPort(), c.key().clientPort(),
                c.serverIsn, c.clientIsn + 1, Frame.TCP_ACK, 0, TcpOptions.NONE, null);
        out(c.sw(), c.clientSwitchPort(), frame);
    }

    /** A reply to a segment Baton keeps no state for (a SYN-ACK cookie, a RST). */
    public void reply(SwitchId sw, int port, MacAddress vmac, Frame to, int flags, int seq, int ack, int window,
                      TcpOptions options) {
        byte[] frame = FrameBuilder.tcp(vmac, to.ethSrc(), to.ipDst(), to.ipSrc(), to.dstPort(), to.srcPort(),
                seq, ack, flags, window, options, null);
        out(sw, port, frame);
    }

    /** A RST for a segment (RFC 793 "reset generation"): takes its sequence from the segment's ACK. */
    public void reset(SwitchId sw, int port, MacAddress vmac, Frame to) {
        if (to.has(Frame.TCP_ACK)) {
            reply(sw, port, vmac, to, Frame.TCP_RST, to.ack(), 0, 0, TcpOptions.NONE);
        } else {
            int len = to.payloadLength() + (to.has(Frame.TCP_SYN) ? 1 : 0) + (to.has(Frame.TCP_FIN) ? 1 : 0);
            reply(sw, port, vmac, to, Frame.TCP_RST | Frame.TCP_ACK, 0, to.seq() + len, 0, TcpOptions.NONE);
        }
    }

    private void out(SwitchId sw, int port, byte[] frame) {
        southbound.sendPacket(sw, PacketOut.of(PacketOut.FROM_CONTROLLER, frame, List.of(FlowAction.output(port))));
    }
}
