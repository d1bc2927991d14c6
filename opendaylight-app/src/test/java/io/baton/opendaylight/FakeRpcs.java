package io.baton.opendaylight;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import org.opendaylight.mdsal.binding.api.RpcService;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlow;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlowInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlowOutput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.AddFlowOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.RemoveFlow;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.RemoveFlowInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.flow.service.rev130819.RemoveFlowOutputBuilder;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacket;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacketInput;
import org.opendaylight.yang.gen.v1.urn.opendaylight.packet.service.rev130709.TransmitPacketOutputBuilder;
import org.opendaylight.yangtools.binding.Rpc;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.ErrorType;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.opendaylight.yangtools.yang.common.RpcResultBuilder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * A fake of MD-SAL's RpcService for the three RPCs the southbound uses: it records every input in
 * a list the tests assert on, and answers as the test says (by default: success at once, as
 * openflowplugin does after the switch's barrier reply). OpenDaylight itself cannot run here.
 */
final class FakeRpcs implements RpcService {
    final List<AddFlowInput> added = Collections.synchronizedList(new ArrayList<>());
    final List<RemoveFlowInput> removed = Collections.synchronizedList(new ArrayList<>());
    final List<TransmitPacketInput> transmitted = Collections.synchronizedList(new ArrayList<>());
    volatile Function<AddFlowInput, ListenableFuture<RpcResult<AddFlowOutput>>> addFlowAnswer =
            in -> Futures.immediateFuture(RpcResultBuilder.success(new AddFlowOutputBuilder().build()).build());

    private final AddFlow addFlow = input -> {
        added.add(input);
        return addFlowAnswer.apply(input);
    };
    private final RemoveFlow removeFlow = input -> {
        removed.add(input);
        return Futures.immediateFuture(RpcResultBuilder.success(new RemoveFlowOutputBuilder().build()).build());
    };
    private final TransmitPacket transmitPacket = input -> {
        transmitted.add(input);
        return Futures.immediateFuture(RpcResultBuilder.success(new TransmitPacketOutputBuilder().build()).build());
    };

    /** An answer the way openflowplugin reports a switch's error message. */
    static ListenableFuture<RpcResult<AddFlowOutput>> refused(String message) {
        return Futures.immediateFuture(RpcResultBuilder.<AddFlowOutput>failed()
                .withError(ErrorType.APPLICATION, ErrorTag.OPERATION_FAILED, message).build());
    }

    @Override
    public <R extends Rpc<?, ?>> R getRpc(Class<R> type) {
        if (type == AddFlow.class) {
            return type.cast(addFlow);
        }
        if (type == RemoveFlow.class) {
            return type.cast(removeFlow);
        }
        if (type == TransmitPacket.class) {
            return type.cast(transmitPacket);
        }
        throw new IllegalArgumentException("no fake for " + type);
    }
}
