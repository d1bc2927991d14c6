/**
 * The embedded OpenFlow 1.3 controller: a Netty TCP server that OpenFlow switches connect to,
 * implementing {@link io.baton.controller.southbound.Southbound} for the engine.
 *
 * <p>{@link io.baton.controller.openflow.OpenFlowController} is the entry point (configured by
 * {@link io.baton.controller.openflow.OpenFlowControllerConfig}, observed through
 * {@link io.baton.controller.openflow.OpenFlowCounters}). Per connection the pipeline is:
 * framing/parsing with openflowj, echo keepalive, handshake (HELLO with version bitmap, FEATURES,
 * SET_CONFIG miss_send_len=0xffff confirmed by barrier), then a handler that dispatches to the
 * switch's {@code SwitchConnection}, which owns xids and the operations waiting for the switch
 * (flow-mod batches confirmed by BARRIER, flow-stats multipart requests), each with a timeout.
 * All translation between Baton's flow values and OpenFlow messages is done by
 * {@link io.baton.flowrules.openflow.OpenFlow13Translator}.
 *
 * <p>Limits, on purpose:
 * <ul>
 *   <li>OpenFlow 1.3 only. A peer whose hello cannot negotiate 1.3 gets HELLO_FAILED; a hello
 *       whose version byte openflowj does not know (above 1.5) is treated as malformed.</li>
 *   <li>One controller, no roles (no ROLE_REQUEST, no master/slave), no TLS, no auxiliary
 *       connections.</li>
 *   <li>Rules live in table 0; no groups, meters, or multiple tables; no port status tracking
 *       (PORT_STATUS is ignored), no topology discovery.</li>
 *   <li>No switch-side buffering: packet-ins are expected to carry the whole frame, and
 *       packet-outs always carry it.</li>
 *   <li>A malformed message closes that switch's connection (the switch reconnects); it never
 *       affects another switch.</li>
 *   <li>Listeners run, and futures complete, on the switch's Netty I/O thread: hand off
 *       quickly and never block there.</li>
 *   <li>If a datapath id connects a second time, the new connection wins and the old one is
 *       closed (listeners see switchDown then switchUp).</li>
 * </ul>
 */
package io.baton.controller.openflow;
