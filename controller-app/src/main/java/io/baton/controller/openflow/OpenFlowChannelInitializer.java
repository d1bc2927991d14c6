package io.baton.controller.openflow;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * Assembles a switch connection's pipeline, and does nothing else:
 * <pre>
 *   idle       IdleStateHandler       reader-idle events every echo interval
 *   decoder    OpenFlowMessageDecoder bytes to openflowj messages
 *   encoder    OpenFlowMessageEncoder openflowj messages to bytes
 *   echo       OpenFlowEchoHandler    echo request/reply both ways, drops silent switches
 *   handshake  SwitchHandshakeHandler hello, features, set-config; replaced once the switch is up by
 *   switch     SwitchChannelHandler   dispatches to the SwitchConnection
 * </pre>
 */
final class OpenFlowChannelInitializer extends ChannelInitializer<SocketChannel> {
    private final OpenFlowController controller;

    OpenFlowChannelInitializer(OpenFlowController controller) {
        this.controller = controller;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        long echoMillis = controller.config().echoInterval().toMillis();
        ChannelPipeline p = ch.pipeline();
        p.addLast("idle", new IdleStateHandler(echoMillis, 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("decoder", new OpenFlowMessageDecoder(controller.liveCounters()));
        p.addLast("encoder", OpenFlowMessageEncoder.INSTANCE);
        p.addLast("echo", new OpenFlowEchoHandler(controller.liveCounters()));
        p.addLast("handshake", new SwitchHandshakeHandler(controller));
    }
}
