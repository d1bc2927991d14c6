package io.baton.controller.karaf;

import java.lang.reflect.Method;

/**
 * Whether the OSGi framework around a bundle is shutting down, that is its system bundle (id 0)
 * is STOPPING: then every bundle stops, and each comes back at the next start.
 *
 * <p>Read by reflection, through the bundle's class loader (which implements
 * {@code org.osgi.framework.BundleReference}, the way {@code FrameworkUtil.getBundle} finds a
 * class's bundle): this module compiles against the Declarative Services and metatype
 * annotations only, not the OSGi core API, so a {@code BundleContext} cannot be named here.
 */
enum FrameworkState {
    RUNNING, STOPPING,
    /** Not in an OSGi framework, or the framework did not say. */
    UNKNOWN;

    private static final String BUNDLE_REFERENCE = "org.osgi.framework.BundleReference";
    /** {@code org.osgi.framework.Bundle.STOPPING}. */
    private static final int BUNDLE_STOPPING = 0x10;
    private static final long SYSTEM_BUNDLE_ID = 0;

    /** The state of the framework that loaded {@code inBundle}. */
    static FrameworkState of(Class<?> inBundle) {
        ClassLoader loader = inBundle.getClassLoader();
        Class<?> reference = loader == null ? null : interfaceNamed(loader.getClass(), BUNDLE_REFERENCE);
        if (reference == null) {
            return UNKNOWN;
        }
        try {
            Method getBundle = reference.getMethod("getBundle");
            Class<?> bundleType = getBundle.getReturnType();
            Method getContext = bundleType.getMethod("getBundleContext");
            Object context = getContext.invoke(getBundle.invoke(loader));
            if (context == null) {
                return UNKNOWN; // the bundle is not starting, active or stopping
            }
            Object system = getContext.getReturnType().getMethod("getBundle", long.class)
                    .invoke(context, SYSTEM_BUNDLE_ID);
            int state = (Integer) bundleType.getMethod("getState").invoke(system);
            return state == BUNDLE_STOPPING ? STOPPING : RUNNING;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    private static Class<?> interfaceNamed(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(name)) {
                    return i;
                }
            }
        }
        return null;
    }
}
