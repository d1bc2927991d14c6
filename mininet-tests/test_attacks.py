"""Hostile clients, in nat and in dsr mode, while a legitimate client (c2)
loops new connections and times its first bytes.

Quick by default; BATON_FULL=1 runs them longer:
    BATON_FULL=1 scripts/test.sh --mininet-only -- -k test_attacks

Test plan, per mode:
  1. slowloris from c1: 1,000 connections that send their request head a
     byte a second.  Each is reset at the head deadline (3 s here), the
     controller's half-open table empties, and every legitimate request is
     answered.
  2. SYN flood from c1 (hping3 --flood, random source addresses): the
     half-open table stays within its bound (SYN cookies beyond it), and the
     legitimate client's success rate and time to first byte are printed;
     at least 90 % of its requests are answered.
test_meters.py floods a controller whose SYN packet-ins are limited.
"""

import json
import os
import subprocess

import pytest

from baton_net import MODES, baton_network, wait_for
from baton_net.load import client_loop, syn_flood, ttfb_percentiles
from baton_net.topo import VIP

FULL = os.environ.get('BATON_FULL', '') not in ('', '0')
HEAD_TIMEOUT_MS = 3000
MAX_HALF_OPEN = 1024
SLOWLORIS = os.path.join(os.path.dirname(__file__), 'baton_net', 'tools',
                         'slowloris.py')


@pytest.fixture(scope='module', params=MODES)
def bn(request, baton_launchers, shared_files):
    overrides = {'frontend': {'headTimeoutMillis': HEAD_TIMEOUT_MS,
                              'maxHalfOpen': MAX_HALF_OPEN}}
    with baton_network(request.param, launchers=baton_launchers,
                       files_dir=shared_files,
                       config_overrides=overrides) as network:
        yield network


def counters(bn):
    return bn.rest_get('stats')['counters']


def test_slowloris_is_cut_at_the_head_deadline(bn):
    count = 1000
    duration = 40 if FULL else 15
    before = counters(bn)
    with client_loop(bn, 'c2', timing=True) as lines:
        attack = bn.host('c1').popen(
            ['/usr/bin/python3', SLOWLORIS, VIP, '80', str(count), '1',
             str(duration)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = attack.communicate(timeout=duration + 60)
        finally:
            if attack.poll() is None:
                attack.kill()
                attack.wait()
    result = json.loads(out.decode())
    after = counters(bn)
    p50, p99 = ttfb_percentiles(lines, 50, 99)
    bad = [line for line in lines if line[0] != '200']
    print('\n[%s] slowloris %s; head timeouts +%d; legitimate: %d requests, '
          '%d failed, TTFB p50 %.1f ms p99 %.1f ms' % (
              bn.mode, result, after['headTimeouts'] - before['headTimeouts'],
              len(lines), len(bad), p50 or -1, p99 or -1))
    assert result['connected'] >= count * 0.99, result
    assert result['ended'] == result['connected'], \
        'connections still open after %d s: %s' % (duration, result)
    assert result['livedMax'] <= HEAD_TIMEOUT_MS / 1000 + 1.5, \
        'a slow head outlived its deadline: %s' % result
    assert after['headTimeouts'] - before['headTimeouts'] >= result['ended'] * 0.99
    wait_for(lambda: bn.rest_get('stats')['connections']['halfOpen'] == 0, 5,
             'the half-open table to empty')
    assert len(lines) >= 5 and not bad, \
        '%d of %d legitimate requests failed: %s' % (len(bad), len(lines),
                                                     bad[:5])


def test_syn_flood_keeps_the_half_open_table_bounded(bn):
    seconds = 30 if FULL else 8
    before = counters(bn)
    peak = 0
    with client_loop(bn, 'c2', timing=True) as lines:
        def sample():
            nonlocal peak
            peak = max(peak, bn.rest_get('stats', timeout=10)
                       ['connections']['halfOpen'])
        syn_flood(bn, 'c1', seconds, sample)
    after = counters(bn)
    syns = after['synReceived'] - before['synReceived']
    cookies = after['synCookiesSent'] - before['synCookiesSent']
    ok = [line for line in lines if line[0] == '200']
    p50, p99 = ttfb_percentiles(lines, 50, 99)
    print('\n[%s] SYN flood %d s: %d SYNs reached the controller (%d/s), %d '
          'answered with cookies, half-open peak %d (bound %d); legitimate: '
          '%d of %d answered, TTFB p50 %.1f ms p99 %.1f ms' % (
              bn.mode, seconds, syns, syns / seconds, cookies, peak,
              MAX_HALF_OPEN, len(ok), len(lines), p50 or -1, p99 or -1))
    assert peak <= MAX_HALF_OPEN
    assert syns > MAX_HALF_OPEN, 'the flood hardly reached the controller'
    assert cookies > 0, 'beyond the bound, SYN cookies'
    assert len(lines) >= 3 and len(ok) >= 0.9 * len(lines), \
        '%d of %d legitimate requests answered' % (len(ok), len(lines))

