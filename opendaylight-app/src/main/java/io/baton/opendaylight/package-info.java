/**
 * Baton on OpenDaylight 0.21: the southbound adapter over openflowplugin's MD-SAL services
 * ({@link io.baton.opendaylight.OdlSouthbound}), the flow translation both ways
 * ({@link io.baton.opendaylight.OdlFlowTranslator}, {@link io.baton.opendaylight.OdlFlowReader}) and the
 * OSGi component that runs the engine on them ({@link io.baton.opendaylight.BatonOdlApp}).
 */
package io.baton.opendaylight;
