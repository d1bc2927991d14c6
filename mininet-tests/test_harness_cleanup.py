"""The harness's own life cycle.

Test plan:
  - with stand-ins for the controller and the agents (baton_net/stubs),
    baton_network() goes through every start-up step of a real run: the
    controller starts inside ctl from the JSON config, s1 (fail-mode secure)
    connects to it through the management bridge, agents connect, the REST
    API answers with the token and refuses without it
  - a block that raises leaves nothing behind: no bridge of ours, no process
    we started, no state file, no run directory; Open vSwitch's max-idle,
    500 ms inside the block, is back to what it was (set or unset)
  - SIGTERM to a harness takes its network down
  - what a SIGKILLed run left (processes, bridges) is removed by the next
"""

import json
import os
import signal
import subprocess

import pytest

from baton_net import Launchers, RestError, baton_network, wait_for
from baton_net.procs import STATE_FILE, alive
from baton_net.topo import DATA_SWITCH, MGMT_SWITCH


def ovs(*args):
    return subprocess.run(['ovs-vsctl', '--timeout=5'] + list(args),
                          capture_output=True, text=True, check=True
                          ).stdout.strip()


def kernel_bridge(name):
    "A Linux bridge of that name exists in the root namespace."
    return os.path.exists('/sys/class/net/%s/bridge' % name)


def test_start_up_with_stub_controller_and_agents(shared_files):
    with baton_network('nat', launchers=Launchers.stubs(),
                       files_dir=shared_files) as bn:
        assert ovs('get', 'controller', DATA_SWITCH, 'is_connected') == 'true'
        assert ovs('get', 'controller', DATA_SWITCH, 'target') == \
            '"tcp:192.168.254.1:6653"'
        assert int(ovs('get', 'controller', DATA_SWITCH, 'max_backoff')) \
            <= 1000
        assert ovs('get', 'bridge', DATA_SWITCH, 'fail_mode') == 'secure'
        assert ovs('get', 'bridge', DATA_SWITCH, 'datapath_type') == 'netdev'
        assert kernel_bridge(MGMT_SWITCH), 'the management network is a kernel bridge'

        servers = bn.rest_get('servers')
        assert {s['address'] for s in servers} == \
            {'10.0.0.11', '10.0.0.12', '10.0.0.13'}, servers
        assert all(s['agentConnected'] for s in servers), servers
        assert {m['pool'] for s in servers if s['address'] == '10.0.0.13'
                for m in s['pools']} == {'api'}, servers
        assert bn.rest_get('stats')['serverToClientPayloadBytes'] == 0

        # The token file is private and the API wants it.
        assert os.stat(bn.token_file).st_mode & 0o777 == 0o600
        assert os.stat(bn.secret_file).st_mode & 0o777 == 0o600
        os.rename(bn.auth_header_file, bn.auth_header_file + '.away')
        try:
            with pytest.raises(RestError) as refused:
                bn.rest_get('servers')
            assert refused.value.status == '401'
        finally:
            os.rename(bn.auth_header_file + '.away', bn.auth_header_file)

        # Agents start with the arguments the real agent takes.
        argv = bn.procs.procs['agent-h3'].argv
        assert argv[argv.index('--label') + 1] == 'api', argv
        assert argv[argv.index('--interface') + 1] == 'h3-eth0', argv
        assert '--proxy-protocol' in argv and '--vip' not in argv, argv
        with open(bn.config_file) as f:
            assert json.load(f)['services'][0]['mode'] == 'nat'

        # stop_agent: the controller sees it go, start_agent: come back.
        bn.stop_agent('h1')
        wait_for(lambda: not bn.servers_by_address()['10.0.0.11']
                 ['agentConnected'], 3, 'the controller to see h1 go')
        bn.start_agent('h1')
        assert bn.servers_by_address()['10.0.0.11']['agentConnected']


class Boom(Exception):
    pass


def max_idle():
    return ovs('--if-exists', 'get', 'Open_vSwitch', '.',
               'other_config:max-idle').strip('"') or None


@pytest.mark.parametrize('earlier', [None, '7000'])
def test_failure_inside_the_block_leaves_nothing_behind(shared_files, earlier):
    seen = {}
    before = max_idle()
    if earlier is None:
        ovs('remove', 'Open_vSwitch', '.', 'other_config', 'max-idle')
    else:
        ovs('set', 'Open_vSwitch', '.', 'other_config:max-idle=' + earlier)
    try:
        with pytest.raises(Boom):
            with baton_network('dsr', launchers=Launchers.stubs(),
                               files_dir=shared_files) as bn:
                seen['max_idle'] = max_idle()
                raise_after_recording(bn, seen)
        assert seen['max_idle'] == '500', seen
        assert max_idle() == earlier, 'max-idle not put back'
    finally:
        if before is None:
            ovs('remove', 'Open_vSwitch', '.', 'other_config', 'max-idle')
        else:
            ovs('set', 'Open_vSwitch', '.', 'other_config:max-idle=' + before)
    assert_nothing_left(seen)


def raise_after_recording(bn, seen):
    seen['run_dir'] = bn.run_dir
    seen['pids'] = [p.pid for p in bn.procs.procs.values()]
    seen['nodes'] = [n.pid for n in bn.net.hosts]
    assert DATA_SWITCH in ovs('list-br').split()
    assert kernel_bridge(MGMT_SWITCH)
    raise Boom()


def assert_nothing_left(seen):
    bridges = set(ovs('list-br').split())
    assert DATA_SWITCH not in bridges, bridges
    assert not os.path.exists('/sys/class/net/' + MGMT_SWITCH), 'm1 left behind'
    assert len(seen['pids']) == 1 + 3 + 3, seen   # controller, nginx, agents
    left = [p for p in seen['pids'] + seen['nodes'] if alive(p)]
    assert not left, 'still running: %s' % left
    assert not os.path.exists(seen['run_dir'])
    assert not os.path.exists(STATE_FILE)
    links = set(os.listdir('/sys/class/net'))
    assert not [l for l in links if l.startswith(('s1-', 'm1-'))], links


KILLED_RUN = '''
import json, sys, time
sys.path.insert(0, %r)
from baton_net import baton_network
with baton_network('nat', controller=False, files_dir=%r) as bn:
    pids = [p.pid for p in bn.procs.procs.values()]
    print(json.dumps({'pids': pids, 'run_dir': bn.run_dir}), flush=True)
    time.sleep(600)
'''


def start_victim(shared_files):
    "A harness in another process; returns it and what it started."
    here = os.path.dirname(os.path.abspath(__file__))
    victim = subprocess.Popen(
        ['/usr/bin/python3', '-c', KILLED_RUN % (here, shared_files)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = victim.stdout.readline()
    if not line:
        victim.kill()
        victim.wait()
        raise AssertionError('the victim harness did not start')
    left = json.loads(line)
    assert left['pids'] and all(alive(p) for p in left['pids']), left
    assert DATA_SWITCH in ovs('list-br').split()
    return victim, left


def test_sigterm_takes_the_network_down(shared_files):
    victim, left = start_victim(shared_files)
    victim.send_signal(signal.SIGTERM)
    assert victim.wait(timeout=60) == 128 + signal.SIGTERM
    assert not [p for p in left['pids'] if alive(p)], left
    assert DATA_SWITCH not in ovs('list-br').split()
    assert not os.path.exists('/sys/class/net/' + MGMT_SWITCH), 'm1 left behind'
    assert not os.path.exists(left['run_dir'])
    assert not os.path.exists(STATE_FILE)


def test_leftovers_of_a_killed_run_are_removed(shared_files):
    """A harness killed with SIGKILL cleans nothing up.  Mininet's node
       shells die with it (their terminal closes), but nginx, the bridges and
       the interfaces stay: the next run removes them before it starts."""
    before = max_idle()
    victim, left = start_victim(shared_files)
    victim.kill()
    victim.wait()
    assert all(alive(p) for p in left['pids']), 'nginx died with its harness'
    assert max_idle() == '500'

    with baton_network('nat', controller=False, files_dir=shared_files):
        still = [p for p in left['pids'] if alive(p)]
        assert not still, 'left by the killed run: %s' % still
        assert not os.path.exists(left['run_dir'])
    assert max_idle() == before, 'max-idle of the killed run not put back'
