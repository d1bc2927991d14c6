package io.baton.controller.openflow;

import io.baton.flowrules.api.SwitchId;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/** What log lines call a switch connection: its datapath id once known, and its address. */
final class ChannelNames {
    /** Set by the handshake once FEATURES_REPLY named the datapath. */
    static final AttributeKey<SwitchId> SWITCH_ID = AttributeKey.valueOf(ChannelNames.class, "switchId");

    private ChannelNames() {
    }

    static String describe(Channel ch) {
        SwitchId id = ch.attr(SWITCH_ID).get();
        return id == null ? String.valueOf(ch.remoteAddress()) : id + " (" + ch.remoteAddress() + ")";
    }
}
