package io.baton.controller.openflow;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFAsyncConfigFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadActionErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadInstructionErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadMatchErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadPropertyErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFBadRequestErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFExperimenterErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFFlowModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFGroupModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFMeterModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFPortModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFQueueOpFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFRoleRequestFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFSwitchConfigFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFTableFeaturesFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.errormsg.OFTableModFailedErrorMsg;

import java.nio.charset.StandardCharsets;

/** Text for switch ERROR messages. */
final class OpenFlowErrors {
    private OpenFlowErrors() {
    }

    /** The error code's name, or the experimenter id and subtype. */
    static String code(OFErrorMsg e) {
        if (e instanceof OFFlowModFailedErrorMsg) return ((OFFlowModFailedErrorMsg) e).getCode().name();
        if (e instanceof OFBadActionErrorMsg) return ((OFBadActionErrorMsg) e).getCode().name();
        if (e instanceof OFBadMatchErrorMsg) return ((OFBadMatchErrorMsg) e).getCode().name();
        if (e instanceof OFBadInstructionErrorMsg) return ((OFBadInstructionErrorMsg) e).getCode().name();
        if (e instanceof OFBadRequestErrorMsg) return ((OFBadRequestErrorMsg) e).getCode().name();
        if (e instanceof OFHelloFailedErrorMsg) return ((OFHelloFailedErrorMsg) e).getCode().name();
        if (e instanceof OFSwitchConfigFailedErrorMsg) return ((OFSwitchConfigFailedErrorMsg) e).getCode().name();
        if (e instanceof OFPortModFailedErrorMsg) return ((OFPortModFailedErrorMsg) e).getCode().name();
        if (e instanceof OFTableModFailedErrorMsg) return ((OFTableModFailedErrorMsg) e).getCode().name();
        if (e instanceof OFGroupModFailedErrorMsg) return ((OFGroupModFailedErrorMsg) e).getCode().name();
        if (e instanceof OFMeterModFailedErrorMsg) return ((OFMeterModFailedErrorMsg) e).getCode().name();
        if (e instanceof OFQueueOpFailedErrorMsg) return ((OFQueueOpFailedErrorMsg) e).getCode().name();
        if (e instanceof OFRoleRequestFailedErrorMsg) return ((OFRoleRequestFailedErrorMsg) e).getCode().name();
        if (e instanceof OFTableFeaturesFailedErrorMsg) return ((OFTableFeaturesFailedErrorMsg) e).getCode().name();
        if (e instanceof OFAsyncConfigFailedErrorMsg) return ((OFAsyncConfigFailedErrorMsg) e).getCode().name();
        if (e instanceof OFBadPropertyErrorMsg) return ((OFBadPropertyErrorMsg) e).getCode().name();
        if (e instanceof OFExperimenterErrorMsg) {
            OFExperimenterErrorMsg x = (OFExperimenterErrorMsg) e;
            return String.format("experimenter 0x%08x subtype %d", x.getExperimenter(), x.getSubtype());
        }
        return "?";
    }

    /** "TYPE/CODE", plus the text a HELLO_FAILED carries. */
    static String describe(OFErrorMsg e) {
        String s = e.getErrType() + "/" + code(e);
        if (e instanceof OFHelloFailedErrorMsg) {
            byte[] data = e.getData().getData();
            if (data.length > 0) {
                s += " \"" + new String(data, StandardCharsets.US_ASCII).trim() + "\"";
            }
        }
        return s;
    }
}
