package io.baton.opendaylight;

import org.opendaylight.mdsal.binding.api.NotificationService;
import org.opendaylight.yangtools.binding.DataObject;
import org.opendaylight.yangtools.binding.Notification;
import org.opendaylight.yangtools.concepts.Registration;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * A fake of MD-SAL's NotificationService: listeners by notification type; {@link #publish} hands
 * a notification to them as openflowplugin's publish service would. Registrations can be closed,
 * and the tests check that the southbound closes them.
 */
final class FakeNotifications implements NotificationService {
    private final Map<Class<?>, List<Listener<?>>> listeners = new ConcurrentHashMap<>();

    @Override
    public <N extends Notification<N> & DataObject> Registration registerListener(Class<N> type, Listener<N> listener,
                                                                                  Executor executor) {
        List<Listener<?>> list = listeners.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>());
        Listener<N> onExecutor = n -> executor.execute(() -> listener.onNotification(n));
        list.add(onExecutor);
        return () -> list.remove(onExecutor);
    }

    @Override
    public Registration registerCompositeListener(CompositeListener listener, Executor executor) {
        throw new UnsupportedOperationException("not used by the southbound");
    }

    @SuppressWarnings("unchecked")
    <N extends Notification<N> & DataObject> void publish(N notification) {
        for (Listener<?> l : listeners.getOrDefault(notification.implementedInterface(), List.of())) {
            ((Listener<N>) l).onNotification(notification);
        }
    }

    int listenerCount() {
        return listeners.values().stream().mapToInt(List::size).sum();
    }
}
