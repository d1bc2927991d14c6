import os
import subprocess
import time
import pytest
from baton_net import baton_network
from baton_net.hostexec import run_in
from baton_net.topo import VIP


@pytest.fixture(scope='module', params=['dsr'])
def bn(request, baton_launchers, shared_files):
    with baton_network(request.param, launchers=baton_launchers,
                       files_dir=shared_files) as network:
        yield network


def flows(bn):
    out = subprocess.run(['ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', 's1'],
                         capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if 'priority=200' in l]


def test_repro(bn):
    script = os.path.join(bn.run_dir, 'r.lua')
    open(script, 'w').write(open('/tmp/wrk.lua').read())
    caps = [bn.host(h).popen(['tcpdump', '-i', '%s-eth0' % h, '-n', '-w', '/tmp/%s.pcap' % h,
                              'tcp port 80 and (tcp[tcpflags] & (tcp-rst|tcp-syn) != 0)'],
                             stderr=subprocess.DEVNULL) for h in ('c1', 'h1', 'h2')]
    time.sleep(1)
    _, out, _ = run_in(bn.host('c1'), ['wrk', '-t2', '-c64', '-d20s', '--timeout', '5s',
                                       '-H', 'Connection: close', '-s', script,
                                       'http://%s/files/1k.bin' % VIP], timeout=90)
    n1 = len(flows(bn))
    conns = bn.rest_get('stats')
    time.sleep(4)
    n2 = flows(bn)
    for cap in caps:
        cap.terminate()
        cap.wait()
    c = {k: v for k, v in sorted(conns['counters'].items()) if v and not k.startswith('packetIn')}
    print('\nWRK', out.strip().splitlines()[-1], '\nflows right after', n1, 'after 4 s', len(n2), '\n', '\n'.join(n2[:6]), '\n', c)
    assert False
