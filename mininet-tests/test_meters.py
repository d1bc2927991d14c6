"""Packet-in meters: a SYN flood (hping3 --flood, random sources, from c1)
against a controller whose SYN packet-ins are limited to 2,000/s, while a
legitimate client (c2) loops new connections.  nat only: the meter does not
depend on the mode.

The switch drops the excess in its OpenFlow meter, the controller sees no
more SYNs than the limit, and every legitimate client that got through its
handshake is answered, since only SYNs share that limit; at least 90 % of
the legitimate requests are answered in all.

Quick by default (an 8 s flood); BATON_FULL=1 floods for 30 s.  The full run
of every fault and attack test (this file, test_faults.py, test_attacks.py,
test_packets.py):
    BATON_FULL=1 bash scripts/test.sh --mininet-only -- -k "test_faults or test_attacks or test_meters or test_packets"
"""

import os
import re
import subprocess
import time

import pytest

from baton_net import baton_network, wait_for
from baton_net.load import client_loop, syn_flood, ttfb_percentiles
from baton_net.topo import DATA_SWITCH

FULL = os.environ.get('BATON_FULL', '') not in ('', '0')
SYN_LIMIT = 2000
MAX_HALF_OPEN = 1024


@pytest.fixture(scope='module')
def metered(baton_launchers, shared_files):
    overrides = {'frontend': {'maxHalfOpen': MAX_HALF_OPEN},
                 'packetInLimits': {'synPerSecond': SYN_LIMIT}}
    with baton_network('nat', launchers=baton_launchers,
                       files_dir=shared_files,
                       config_overrides=overrides) as network:
        yield network


def ofctl(*args):
    return subprocess.run(['ovs-ofctl', '-O', 'OpenFlow13'] + list(args),
                          capture_output=True, text=True, check=True).stdout


def meter_dropped(meter_id):
    "Packets the meter's drop band has dropped so far."
    out = ofctl('meter-stats', DATA_SWITCH, 'meter=%d' % meter_id)
    band = re.search(r'meter:%d .*?bands:\s*0: packet_count:(\d+)' % meter_id,
                     out, re.S)
    assert band, 'no stats for meter %d: %s' % (meter_id, out)
    return int(band.group(1))


def test_syn_meter_caps_what_reaches_the_controller(metered):
    bn = metered
    wait_for(lambda: re.search(r'tcp_flags=\+syn.*meter:1',
                               ofctl('dump-flows', DATA_SWITCH)), 10,
             'the SYN intercept through meter 1')
    meters = ofctl('dump-meters', DATA_SWITCH)
    assert re.search(r'meter=1 pktps .*rate=%d' % SYN_LIMIT, meters, re.S), \
        'meter 1 is not the configured limit: %s' % meters
    seconds = 30 if FULL else 8
    before = bn.rest_get('stats')['counters']
    dropped_before = meter_dropped(1)
    with client_loop(bn, 'c2', timing=True) as lines:
        start = time.monotonic()
        syn_flood(bn, 'c1', seconds)
        elapsed = time.monotonic() - start
    after = bn.rest_get('stats')['counters']
    syns = after['synReceived'] - before['synReceived']
    dropped = meter_dropped(1) - dropped_before
    connected = [line for line in lines if float(line[2]) > 0]
    lost = [line for line in connected if line[0] != '200']
    p50, p99 = ttfb_percentiles(lines, 50, 99)
    print('\n[%s] SYN flood %.1f s with a %d SYN/s meter: the switch dropped '
          '%d, the controller got %d SYNs (%d/s); legitimate: %d of %d '
          'connected, %d of those answered, TTFB p50 %.1f ms p99 %.1f ms' % (
              bn.mode, elapsed, SYN_LIMIT, dropped, syns, syns / elapsed,
              len(connected), len(lines), len(connected) - len(lost),
              p50 or -1, p99 or -1))
    assert dropped > SYN_LIMIT, 'the meter hardly dropped anything: %d' % dropped
    burst = SYN_LIMIT / 10
    assert syns <= SYN_LIMIT * elapsed * 1.1 + burst, \
        '%d SYNs in %.1f s went past a %d/s meter' % (syns, elapsed, SYN_LIMIT)
    assert connected, 'no legitimate client got through its handshake'
    assert not lost, 'connected but not answered: %s' % lost[:5]
    # A legitimate SYN competes with the flood's for the meter's budget; one
    # the meter drops is retransmitted (1 s, 3 s, 7 s later) within the
    # loop's 10 s: nearly every request is answered, only later.
    answered = [line for line in lines if line[0] == '200']
    assert len(answered) >= 0.9 * len(lines), \
        'only %d of %d legitimate requests answered: %s' % (
            len(answered), len(lines), lines.failures()[:5])
