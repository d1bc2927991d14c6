package io.baton.onos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.onlab.packet.ChassisId;
import org.onosproject.net.DefaultDevice;
import org.onosproject.net.Device;
import org.onosproject.net.DeviceId;
import org.onosproject.net.MastershipRole;
import org.onosproject.net.Port;
import org.onosproject.net.PortNumber;
import org.onosproject.net.device.DeviceEvent;
import org.onosproject.net.device.DeviceListener;
import org.onosproject.net.device.DeviceService;
import org.onosproject.net.device.PortStatistics;
import org.onosproject.net.provider.ProviderId;

/**
 * ONOS's DeviceService as a test sees it (onos-api's test jar has no DeviceServiceAdapter):
 * devices the test adds, each available or not, and device events posted to the listeners.
 */
final class FakeDeviceService implements DeviceService {
    private static final ProviderId PROVIDER = new ProviderId("of", "io.baton.onos.test");

    private final Map<DeviceId, Device> devices = new ConcurrentHashMap<>();
    private final Map<DeviceId, Boolean> available = new ConcurrentHashMap<>();
    final List<DeviceListener> listeners = new CopyOnWriteArrayList<>();

    static Device device(DeviceId id) {
        return new DefaultDevice(PROVIDER, id, Device.Type.SWITCH, "test", "1", "1", "1", new ChassisId(1));
    }

    /** A device appears (available) and DEVICE_ADDED is posted. */
    void add(DeviceId id) {
        devices.put(id, device(id));
        available.put(id, true);
        post(new DeviceEvent(DeviceEvent.Type.DEVICE_ADDED, devices.get(id)));
    }

    void setAvailable(DeviceId id, boolean up) {
        available.put(id, up);
        post(new DeviceEvent(DeviceEvent.Type.DEVICE_AVAILABILITY_CHANGED, devices.get(id)));
    }

    void remove(DeviceId id) {
        Device d = devices.remove(id);
        available.remove(id);
        post(new DeviceEvent(DeviceEvent.Type.DEVICE_REMOVED, d));
    }

    void post(DeviceEvent event) {
        for (DeviceListener l : listeners) {
            if (l.isRelevant(event)) {
                l.event(event);
            }
        }
    }

    @Override
    public void addListener(DeviceListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(DeviceListener listener) {
        listeners.remove(listener);
    }

    @Override
    public int getDeviceCount() {
        return devices.size();
    }

    @Override
    public Iterable<Device> getDevices() {
        return new ArrayList<>(devices.values());
    }

    @Override
    public Iterable<Device> getDevices(Device.Type type) {
        return getDevices();
    }

    @Override
    public Iterable<Device> getAvailableDevices() {
        List<Device> out = new ArrayList<>();
        devices.values().stream().filter(d -> isAvailable(d.id())).forEach(out::add);
        return out;
    }

    @Override
    public Iterable<Device> getAvailableDevices(Device.Type type) {
        return getAvailableDevices();
    }

    @Override
    public Device getDevice(DeviceId deviceId) {
        return devices.get(deviceId);
    }

    @Override
    public MastershipRole getRole(DeviceId deviceId) {
        return MastershipRole.MASTER;
    }

    @Override
    public List<Port> getPorts(DeviceId deviceId) {
        return List.of();
    }

    @Override
    public List<PortStatistics> getPortStatistics(DeviceId deviceId) {
        return List.of();
    }

    @Override
    public List<PortStatistics> getPortDeltaStatistics(DeviceId deviceId) {
        return List.of();
    }

    @Override
    public Port getPort(DeviceId deviceId, PortNumber portNumber) {
        return null;
    }

    @Override
    public boolean isAvailable(DeviceId deviceId) {
        return available.getOrDefault(deviceId, false);
    }

    @Override
    public String localStatus(DeviceId deviceId) {
        return isAvailable(deviceId) ? "connected" : "disconnected";
    }

    @Override
    public long getLastUpdatedInstant(DeviceId deviceId) {
        return 0;
    }
}
