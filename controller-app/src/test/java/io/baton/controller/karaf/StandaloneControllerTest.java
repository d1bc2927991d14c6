package io.baton.controller.karaf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When the Karaf component deletes Baton's rules on deactivation. SCR's reasons
 * ({@code ComponentConstants.DEACTIVATION_REASON_*}): 0 unspecified, 1 disabled, 2 reference,
 * 3 configuration modified, 4 configuration deleted, 5 disposed, 6 bundle stopped.
 * A real framework's answer (uninstall: deleted; shutdown: kept) is KarafStandaloneIT's part.
 */
class StandaloneControllerTest {
    private static final int BUNDLE_STOPPED = 6;
    private static final int CONFIGURATION_DELETED = 4;

    @Test
    void takingBatonAwayRemovesItsRules() {
        for (int reason : new int[] {0, 1, 2, CONFIGURATION_DELETED, 5, BUNDLE_STOPPED}) {
            assertTrue(StandaloneController.removesRules(reason, FrameworkState.RUNNING), "reason " + reason);
        }
    }

    @Test
    void aRestartKeepsThem() {
        assertFalse(StandaloneController.removesRules(BUNDLE_STOPPED, FrameworkState.STOPPING),
                "framework shutdown: the controller comes back with the framework");
        assertFalse(StandaloneController.removesRules(StandaloneController.REASON_CONFIGURATION_MODIFIED,
                FrameworkState.RUNNING), "configuration changed: deactivated and activated again at once");
        assertFalse(StandaloneController.removesRules(CONFIGURATION_DELETED, FrameworkState.UNKNOWN),
                "in doubt, keep: deleting during a restart would cut every handed-off connection");
    }

    @Test
    void outsideAFrameworkItsStateIsUnknown() {
        assertEquals(FrameworkState.UNKNOWN, FrameworkState.of(StandaloneController.class));
    }
}
