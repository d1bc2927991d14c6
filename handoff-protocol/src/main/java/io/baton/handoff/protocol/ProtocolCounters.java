package io.baton.handoff.protocol;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the codec handlers saw. Thread-safe; one instance may be shared by the handlers
 * of many channels (pass it to {@link HandoffPipeline#addCodec(io.netty.channel.ChannelPipeline,
 * ProtocolCounters)}).
 */
public final class ProtocolCounters {

    private final LongAdder framesDecoded = new LongAdder();
    private final LongAdder messagesDecoded = new LongAdder();
    private final LongAdder messagesEncoded = new LongAdder();
    private final Map<DecodeFailure, LongAdder> failures = new EnumMap<>(DecodeFailure.class);

    public ProtocolCounters() {
        for (DecodeFailure f : DecodeFailure.values()) {
            failures.put(f, new LongAdder());
        }
    }

    /** Frames cut from the byte stream. */
    public long framesDecoded() {
        return framesDecoded.sum();
    }

    /** Frames turned into messages. */
    public long messagesDecoded() {
        return messagesDecoded.sum();
    }

    /** Messages written. */
    public long messagesEncoded() {
        return messagesEncoded.sum();
    }

    /** All decode errors. */
    public long decodeErrors() {
        long n = 0;
        for (LongAdder a : failures.values()) {
            n += a.sum();
        }
        return n;
    }

    /** Decode errors of one kind. */
    public long decodeErrors(DecodeFailure failure) {
        return failures.get(failure).sum();
    }

    void frameDecoded() {
        framesDecoded.increment();
    }

    void messageDecoded() {
        messagesDecoded.increment();
    }

    void messageEncoded() {
        messagesEncoded.increment();
    }

    void decodeError(DecodeFailure failure) {
        failures.get(failure).increment();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ProtocolCounters[framesDecoded=").append(framesDecoded())
                .append(", messagesDecoded=").append(messagesDecoded())
                .append(", messagesEncoded=").append(messagesEncoded())
                .append(", decodeErrors=").append(decodeErrors());
        for (Map.Entry<DecodeFailure, LongAdder> e : failures.entrySet()) {
            long n = e.getValue().sum();
            if (n != 0) {
                sb.append(", ").append(e.getKey()).append('=').append(n);
            }
        }
        return sb.append(']').toString();
    }
}
