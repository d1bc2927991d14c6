package io.baton.onos;

import io.baton.controller.southbound.SouthboundListener;
import io.baton.flowrules.api.SwitchId;
import org.onosproject.net.DeviceId;
import org.onosproject.net.device.DeviceEvent;
import org.onosproject.net.device.DeviceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * ONOS device events to switch up and down. A device is up when ONOS adds it available or it
 * becomes available again; down when it becomes unavailable or is removed. Port events and
 * updates say nothing about whether the switch can take rules, so they are not passed on.
 */
final class DeviceRelay implements DeviceListener {
    private static final Logger log = LoggerFactory.getLogger(DeviceRelay.class);

    private final Consumer<Consumer<SouthboundListener>> listeners;
    private final OnosCounters counters;
    private final Predicate<DeviceId> available;

    /** @param available ONOS's view of whether a device is available now (DeviceService.isAvailable) */
    DeviceRelay(Consumer<Consumer<SouthboundListener>> listeners, OnosCounters counters, Predicate<DeviceId> available) {
        this.listeners = listeners;
        this.counters = counters;
        this.available = available;
    }

    @Override
    public void event(DeviceEvent event) {
        try {
            relay(event);
        } catch (RuntimeException e) {
            counters.callbackErrors.increment();
            log.error("device event {} not handled: {}", event.type(), e.toString(), e);
        }
    }

    private void relay(DeviceEvent event) {
        boolean up;
        switch (event.type()) {
            case DEVICE_ADDED:
            case DEVICE_AVAILABILITY_CHANGED:
                up = available.test(event.subject().id());
                break;
            case DEVICE_REMOVED:
                up = false;
                break;
            default:
                return;
        }
        Optional<SwitchId> sw = DeviceIds.switchOf(event.subject().id());
        if (sw.isEmpty()) {
            counters.notOpenFlowDevice.increment();
            return;
        }
        log.info("switch {} {} ({})", sw.get(), up ? "up" : "down", event.type());
        listeners.accept(up ? l -> l.switchUp(sw.get()) : l -> l.switchDown(sw.get()));
    }
}
