package io.baton.bench;

import java.util.List;
import java.util.Map;

/**
 * The controller's live heap before and after {@code connections} handoffs that stay
 * established (the agents never report them closed), both after a full GC.
 */
record MemoryResult(int requested, long established, Map<String, Long> failures, long heapBeforeBytes,
                    long heapAfterBytes, double bytesPerConnection, long controllerActiveConnections,
                    List<Map<String, Object>> topClassGrowth) {
}
