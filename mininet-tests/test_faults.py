"""Faults, in nat and in dsr mode: what Baton promises because no response
byte crosses the controller.

Quick by default; BATON_FULL=1 runs the full sizes (100 MiB downloads).  The
full run of every fault and attack test (this file, test_attacks.py,
test_meters.py, test_packets.py):
    BATON_FULL=1 bash scripts/test.sh --mininet-only -- -k "test_faults or test_attacks or test_meters or test_packets"

Test plan, per mode:
  1. the controller is killed (SIGKILL) and started again while 20
     rate-limited downloads and a loop of new connections run: every
     download completes intact; the new controller reads the switch's rules
     back and hears the agents' lists, takes the live connections back, and
     removes a rule pair no server relays (planted before the kill).  The
     rules of the downloads still live are the same rules (same cookies, not
     younger than before the kill: kept, not deleted and added again), and
     three requests started while the controller is dead are answered once
     it is back (their clients retransmit their SYNs).  Time from start to
     serving and to a rebuilt table is printed.
  2. the switch's controller connection drops and comes back: the rules
     stay, one pair per live connection, no duplicate and none missing; then
     the switch loses every rule (as when OVS restarts) and reconnects: the
     controller puts back the rules of the live connections and the
     downloads complete intact.
  3. a server's agent dies (SIGKILL) during downloads: the server is down
     and the rules of its connections are gone within 2 s (not at idle
     timeout), and their clients are reset at their next ACK (within 5 s);
     downloads on the other server complete intact; the agent restarts,
     re-registers with nothing and serves new requests.
  4. a server falls silent under downloads (links down, or its agent
     frozen with SIGSTOP): it is out (GET /servers) and the rules of its
     connections are gone within the heartbeat timeout (2 s) + 1 s, timed
     from the fault; requests that start once it is out are all answered by
     the other server, and at most the one sent to it before fails; the other
     server's downloads complete intact; back, it serves again
  5. (nat) a server dies silently (its links go down) while it holds a GET
     without having answered it: within the heartbeat timeout and two reads
     of the reply rule's count, the same request goes to the other server and
     the client gets its answer, never noticing; when the dead server comes
     back, the connection it held is aborted there without a trace.
  6. (nat) a server's agent pauses while it prepares a handoff, which fails;
     back, the server sends into that connection: the controller drops those
     segments (the client never sees them from the server's own address),
     and every request to the returned server is served.
"""

import os
import re
import signal
import subprocess
import threading
import time

import pytest

from baton_net import restart_controller, wait_for
from baton_net.load import client_loop, downloads, loop_report
from baton_net.hostexec import listens
from baton_net.network import PYTHON
from baton_net.topo import DATA_SWITCH, VIP
from baton_net.webserver import STALL_PORT

FULL = os.environ.get('BATON_FULL', '') not in ('', '0')
FILE = '100m.bin' if FULL else '10m.bin'
# 20 downloads share the userspace switch: their sum stays well under what
# it forwards (about 70 MB/s here), so nothing but the fault slows them.
RATE = '2M' if FULL else '1M'
# The controller's restart takes 4-7 s from the kill to a rebuilt table here, and
# more on a loaded machine: the downloads it must take back last about 20 s, paced
# by the servers (curl's own limit let 8 of 20 finish within 8 s, one in 3.4 s).
RESTART_RATE = '2m' if FULL else '512k'
DOWNLOADS = 20
BATON = 0xBA70


# Baton's cookies: 0xBA70 in the top 16 bits, the rule's kind in the next 4,
# the connection's id in the low 44.
CONNECTION_ID = (1 << 44) - 1
FORWARD_KIND, REPLY_KIND, QUARANTINE_KIND = 2, 3, 4
RULE = re.compile(r'cookie=0x([0-9a-f]+), duration=([0-9.]+)s.*?'
                  r'n_packets=(\d+),(?:.*?tp_dst=(\d+))?')
# A connection whose rules are this old (seconds) was handed off, not in the middle of it.
ESTABLISHED_S = 0.5


class Rule:
    "One of Baton's rules on the data switch, as ovs-ofctl dumps it."

    def __init__(self, m):
        self.cookie = int(m.group(1), 16)
        self.kind = (self.cookie >> 44) & 0xf
        self.connection = self.cookie & CONNECTION_ID
        self.age = float(m.group(2))
        self.packets = int(m.group(3))
        self.tp_dst = int(m.group(4)) if m.group(4) else None


def baton_rules():
    "Baton's rules on the data switch now."
    out = subprocess.run(['ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows',
                          DATA_SWITCH], capture_output=True, text=True,
                         check=True).stdout
    rules = (Rule(m) for m in map(RULE.search, out.splitlines()) if m)
    return [r for r in rules if r.cookie >> 48 == BATON]


def connection_rules():
    """Baton's per-connection rules on the switch: {connection id: [kinds]}
       (kind 2 client to server, 3 server to client)."""
    rules = {}
    for r in baton_rules():
        if r.kind in (FORWARD_KIND, REPLY_KIND):
            rules.setdefault(r.connection, []).append(r.kind)
    return rules


def quarantined_packets(client_port):
    """Packets the switch dropped by Baton's quarantine rules for connections
       from this client port (what a server sent into a given-up connection)."""
    return sum(r.packets for r in baton_rules()
               if r.kind == QUARANTINE_KIND and r.tp_dst == client_port)


def connection_rule_ages():
    """Baton's per-connection rules on the switch: {cookie: seconds since the
       switch took it}."""
    return {r.cookie: r.age for r in baton_rules()
            if r.kind in (FORWARD_KIND, REPLY_KIND)}


class Caught:
    """A request whose handshake starts while the controller is dead: its
       SYNs go nowhere until a controller is back, and its client retransmits
       them (1 s, 3 s, 7 s, 15 s after the first)."""

    def __init__(self, bn, client, path):
        self.proc = bn.host(client).popen(
            ['curl', '-s', '-o', '/dev/null', '-m', '40', '-w',
             '%{http_code} %{time_connect} %{time_total} %header{x-served-by}',
             bn.url(path)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)

    def result(self):
        "(status, seconds to connect, seconds in all, server)."
        out, _ = self.proc.communicate(timeout=60)
        fields = out.decode().split() + [None] * 4
        return fields[0], float(fields[1] or 0), float(fields[2] or 0), fields[3]


def handed_off(bn):
    return [c for c in bn.rest_get('connections?limit=10000')
            if c['state'] == 'handed_off' and c['server']]


def wait_handed_off(bn, count):
    wait_for(lambda: len(handed_off(bn)) >= count, 20,
             '%d downloads to be handed off' % count)


def assert_intact(started, timeout):
    problems = ['%s (%s): %s' % (d.client, d.served_by, p)
                for d in started for p in [d.finish(timeout)] if p]
    assert not problems, '%d of %d downloads broken:\n%s' % (
        len(problems), len(started), '\n'.join(problems))


def download_timeout():
    return 200 if FULL else 60


def plant_stale_rules(bn, connection_id):
    """A rule pair of a connection no server relays, as an earlier
       controller run could have left: the forward rule sends to h1."""
    h1 = bn.host('h1')
    client = bn.host('c1')
    port = 3  # whichever: no packet matches it
    forward = ('cookie=0x%x,priority=200,idle_timeout=60,tcp,nw_src=%s,'
               'tp_src=40999,nw_dst=%s,tp_dst=80,actions=mod_dl_dst:%s,%s'
               'output:%d') % (
        BATON << 48 | 2 << 44 | connection_id, client.IP(), VIP, h1.MAC(),
        'mod_nw_dst:%s,' % h1.IP() if bn.mode == 'nat' else '', port)
    back = ('cookie=0x%x,priority=200,idle_timeout=60,tcp,nw_src=%s,tp_src=80,'
            'nw_dst=%s,tp_dst=40999,actions=%soutput:1') % (
        BATON << 48 | 3 << 44 | connection_id,
        h1.IP() if bn.mode == 'nat' else VIP, client.IP(),
        'mod_dl_src:02:00:0a:00:00:64,mod_nw_src:%s,' % VIP
        if bn.mode == 'nat' else '')
    for flow in (forward, back):
        subprocess.run(['ovs-ofctl', '-O', 'OpenFlow13', 'add-flow',
                        DATA_SWITCH, flow], check=True)
    assert connection_id in connection_rules()


def recovery(bn):
    return bn.rest_get('stats')['recovery']


def test_controller_killed_mid_transfer_loses_no_download(bn):
    served = bn.files[FILE]
    stale = 0x123
    with downloads(bn, DOWNLOADS, served, RESTART_RATE,
                   paced_by='server') as started:
        wait_handed_off(bn, DOWNLOADS)
        plant_stale_rules(bn, stale)
        with client_loop(bn, 'c2', max_time=20) as lines:
            time.sleep(1)
            ages_before = connection_rule_ages()
            aged_from = time.monotonic()
            lines.mark('controller killed')
            killed = time.monotonic()
            os.kill(bn.procs.procs['controller'].pid, signal.SIGKILL)
            caught = [Caught(bn, 'c1', '/outage/%d' % i) for i in range(3)]
            restart_controller(bn)
            back = time.monotonic() - killed
            lines.mark('switch and agents back')
            wait_for(lambda: recovery(bn).get('rebuiltAfterMillis')
                     is not None, 15, 'the connection table to be rebuilt')
            wait_for(lambda: stale not in connection_rules(), 5,
                     'the planted stale rules to be removed')
            ages_after = connection_rule_ages()
            aged = time.monotonic() - aged_from
            live = {c['id'] for c in handed_off(bn)}
            stats = bn.rest_get('stats')
            running_at_rebuild = sum(d.running() for d in started)
            # The loop is sequential: a request that met the dead controller in its
            # handshake waits out its SYN backoff (up to 7 s) and holds the loop up, so
            # the loop runs on long enough after the recovery to show it serves again.
            time.sleep(5)
        running = sum(d.running() for d in started)
        assert_intact(started, download_timeout())
    outage = [c.result() for c in caught]

    counters = stats['counters']
    rec = stats['recovery']
    # The switch kept the rules of the live downloads through the outage: the
    # new controller took them back as they were, neither deleted nor added
    # again (a rule added again would be younger than the time between the
    # two readings).
    # Established connections only: one of the client loop's, caught by the kill
    # between its two rules (its forward rule goes in after the agent's ready),
    # may rightly have its rules put in again by the new controller.
    kept = sorted(c for c in ages_before
                  if c & CONNECTION_ID in live and ages_before[c] >= ESTABLISHED_S)
    renewed = {'%x' % c: (ages_before[c], ages_after.get(c))
               for c in kept
               if ages_after.get(c, 0) < ages_before[c] + aged - 0.5}
    print('\n[%s] %d rule pairs before the kill, %d after the rebuild %.1f s '
          'later; %d pairs of live downloads kept (ages %.1f-%.1f s -> '
          '%.1f-%.1f s)' % (
              bn.mode, len(ages_before) // 2, len(ages_after) // 2, aged,
              len(kept) // 2, min((ages_before[c] for c in kept), default=0),
              max((ages_before[c] for c in kept), default=0),
              min((ages_after.get(c, 0) for c in kept), default=0),
              max((ages_after.get(c, 0) for c in kept), default=0)))
    print('[%s] requests started in the outage: %s (status, s to connect, s '
          'in all, server); SYN cookies taken over by the new controller: %d' % (
              bn.mode, outage, counters['synCookiesAccepted']))
    print('\n[%s] controller killed: switch and agents back after %.1f s; '
          'serving %s ms and table rebuilt %s ms after its start; %d '
          'connections taken back, %d stale rule pairs removed; loop: %d '
          'requests, %d failed' % (
              bn.mode, back, rec['servingAfterMillis'],
              rec['rebuiltAfterMillis'], counters['connectionsAdopted'],
              counters['staleRulesRemoved'], len(lines),
              sum(1 for line in lines if line[0] != '200')))
    assert counters['connectionsAdopted'] >= running, \
        'every download still running was taken back: %s' % counters
    assert stale not in connection_rules(), 'the planted stale rules stay'
    assert counters['staleRulesRemoved'] >= 1
    assert running_at_rebuild, 'no download was still live when the table was rebuilt'
    kept_connections = {c & CONNECTION_ID for c in kept}
    assert len(kept_connections) >= running_at_rebuild, (
        'of %d downloads running at the rebuild, %d kept their rules' % (
            running_at_rebuild, len(kept_connections)))
    assert not renewed, ('rules deleted or added again (cookie: age before the '
                         'kill, age %.1f s later): %s' % (aged, renewed))
    assert all(s == '200' for s, _, _, _ in outage), \
        'clients whose handshake met the dead controller: %s' % outage
    # New connections: those that met the dead controller in their handshake
    # retransmit their SYN; at most the one request inside the controller at
    # the kill (between SYN-ACK and the handoff's commit) is lost.
    failed = [line for line in lines if line[0] != '200']
    assert len(lines) >= 5 and len(failed) <= 1, \
        loop_report(bn, lines)
    # Taken-back connections end as others do: their rules go.
    wait_for(lambda: not connection_rules(), 10,
             'the rules of the finished downloads to be removed',
             detail=lambda: '%s; tracked: %s' % (
                 connection_rules(), bn.rest_get('connections?limit=100')))


def reconnect_switch(lose_rules=False):
    target = subprocess.run(['ovs-vsctl', 'get-controller', DATA_SWITCH],
                            capture_output=True, text=True,
                            check=True).stdout.split()
    subprocess.run(['ovs-vsctl', 'del-controller', DATA_SWITCH], check=True)
    if lose_rules:
        subprocess.run(['ovs-ofctl', '-O', 'OpenFlow13', 'del-flows',
                        DATA_SWITCH], check=True)
        assert not connection_rules()
    time.sleep(0.5)
    subprocess.run(['ovs-vsctl', 'set-controller', DATA_SWITCH] + target,
                   check=True)
    subprocess.run(['ovs-vsctl', 'set', 'controller', DATA_SWITCH,
                    'max_backoff=1000'], check=True)
    wait_for(lambda: subprocess.run(
        ['ovs-vsctl', 'get', 'controller', DATA_SWITCH, 'is_connected'],
        capture_output=True, text=True).stdout.strip() == 'true', 15,
        'the switch to reconnect')


def one_pair_each(bn):
    "{id: kinds} of the live downloads' rules, checked complete and single."
    live = {c['id'] for c in handed_off(bn)}
    rules = connection_rules()
    wrong = {i: sorted(rules.get(i, [])) for i in live
             if sorted(rules.get(i, [])) != [2, 3]}
    return live, rules, wrong


def test_switch_reconnect_keeps_or_restores_every_rule(bn):
    served = bn.files[FILE]
    with downloads(bn, 6, served, RATE) as started:
        wait_handed_off(bn, 6)
        before = connection_rules()
        reconnect_switch()
        time.sleep(1)
        live, rules, wrong = one_pair_each(bn)
        assert not wrong, 'after a reconnect, rules per connection: %s' % wrong
        assert set(rules) <= set(before), 'rules of unknown connections appeared'

        restored = bn.rest_get('stats')['counters']['rulesRestored']
        reconnect_switch(lose_rules=True)
        wait_for(lambda: not one_pair_each(bn)[2], 10,
                 'every live connection to get its rules back',
                 detail=lambda: str(one_pair_each(bn)[2]))
        assert bn.rest_get('stats')['counters']['rulesRestored'] > restored
        assert_intact(started, download_timeout())


def test_dead_agent_takes_its_rules_with_it(bn):
    served = bn.files[FILE]
    with downloads(bn, 6, served, RATE) as started:
        wait_handed_off(bn, 6)
        conns = handed_off(bn)
        victim_ip = conns[0]['server']
        victim = next(n for n in bn.server_names
                      if bn.address_of(n) == victim_ip)
        victims = {c['id'] for c in conns if c['server'] == victim_ip}
        assert victims <= set(connection_rules())
        running = sum(d.running() for d in started)
        killed = time.monotonic()
        bn.kill_agent(victim)

        def gone():
            row = bn.servers_by_address()[victim_ip]
            return (not row['agentConnected'] and
                    not victims & set(connection_rules()))
        wait_for(gone, 2, '%s down and its connections\' rules removed'
                 % victim, interval=0.05,
                 detail=lambda: str(connection_rules()))
        took = time.monotonic() - killed
        # Their clients are made to answer, and the answer gets a reset: they end now, not at a timeout.
        wait_for(lambda: sum(d.running() for d in started) <= running - len(victims),
                 5, "the dead server's downloads to end")
        ended = time.monotonic() - killed
        print('\n[%s] agent killed: down and %d rule pairs removed in %.2f s, '
              'its downloads ended (reset) within %.2f s' % (
                  bn.mode, len(victims), took, ended))
        others = [d for d in started if d.finish(download_timeout()) is None]
        assert len(others) >= len(started) - len(victims), \
            'downloads from the living server broke'

        bn.start_agent(victim)
        wait_for(lambda: bn.takes_connections(
            bn.servers_by_address()[victim_ip]), 10, '%s back' % victim)
        assert not [c for c in handed_off(bn) if c['server'] == victim_ip
                    and c['id'] in victims], 'a dead connection came back'
        results = [bn.curl(bn.client_names[i % 2], '/after/%d' % i)
                   for i in range(10)]
        assert all(r.status == 200 for r in results), \
            [r.describe() for r in results if r.status != 200]
        assert any(r.served_by == victim for r in results), \
            'the restarted agent gets new connections'


HEARTBEAT_TIMEOUT = 2.0  # the controller's handoff.heartbeatTimeoutMillis (default)
# The agent's last heartbeat came at most 0.5 s before the fault, so the
# controller notices 1.5-2.0 s after it; on top come its agent check (every
# 0.1 s), the rules' removal (one switch round trip), and this test's polling
# (every 0.05 s, through the REST API and ovs-ofctl, some 20-50 ms a read).
SILENCE_MARGIN = 1.0


def name_of(bn, address):
    return next(n for n in bn.server_names if bn.address_of(n) == address)


def started_ms(lines, i):
    "When loop request i started, in ms since the epoch."
    return lines.started_ms + float(lines.details[i][0])


@pytest.mark.parametrize('fault', ['links-down', 'agent-frozen'])
def test_a_silent_server_is_out_and_its_rules_gone_within_the_heartbeat_timeout(
        bn, fault):
    """A server falls silent while it serves downloads, with nothing to close
       its agent's channel: its links go down (a dead machine) or its agent
       freezes (SIGSTOP).  Within the heartbeat timeout and a margin, timed
       from the fault, GET /servers shows it taking no connections and the
       switch holds no rule of its connections.  A loop of new connections
       runs throughout: no request that starts after the fault is served by
       it; every request that starts once it is out is answered by another
       server; at most one fails, the one the loop sent it before it was out.
       The other server's downloads complete intact; back, it serves again."""
    served = bn.files[FILE]
    bound = HEARTBEAT_TIMEOUT + SILENCE_MARGIN
    with downloads(bn, 6, served, RATE) as started:
        wait_handed_off(bn, 6)
        conns = handed_off(bn)
        victim_ip = conns[0]['server']
        victim = name_of(bn, victim_ip)
        victims = {c['id'] for c in conns if c['server'] == victim_ip}
        assert victims <= set(connection_rules()), 'rules of every download'
        agent = bn.procs.procs['agent-' + victim]
        down = rules_gone = None
        try:
            with client_loop(bn, 'c2') as lines:
                time.sleep(1)
                # Its downloads still running (curl's --limit-rate now and
                # then lets one through at full speed).
                victims &= set(connection_rules())
                assert victims, 'no download from %s still running' % victim
                lines.mark(fault)
                fault_ms = time.time() * 1000
                fault_at = time.monotonic()
                if fault == 'links-down':
                    set_links(bn, victim, 'down')
                else:
                    os.kill(agent.pid, signal.SIGSTOP)
                # Polled beyond the bound, so that a late figure is measured.
                while (down is None or rules_gone is None) and \
                        time.monotonic() - fault_at < bound + 3:
                    if down is None and not bn.takes_connections(
                            bn.servers_by_address()[victim_ip]):
                        down = time.monotonic() - fault_at
                        lines.mark('%s out' % victim)
                    if rules_gone is None and \
                            not victims & set(connection_rules()):
                        rules_gone = time.monotonic() - fault_at
                        lines.mark('its rules gone')
                    time.sleep(0.05)
                time.sleep(3)  # new requests while it is out
        finally:
            if fault == 'links-down':
                set_links(bn, victim, 'up')
            else:
                os.kill(agent.pid, signal.SIGCONT)
        broken = ['%s (%s): %s' % (d.client, d.served_by, p)
                  for d in started for p in [d.finish(download_timeout())]
                  if p and d.served_by != victim]

    after_fault = [i for i in range(len(lines))
                   if started_ms(lines, i) >= fault_ms]
    out_ms = fault_ms + (down if down is not None else bound + 3) * 1000
    after_out = [i for i in after_fault if started_ms(lines, i) >= out_ms]
    failed = [i for i in range(len(lines)) if lines[i][0] != '200']
    print('\n[%s] %s, %s: out after %s s, its %d connections\' rules gone '
          'after %s s (bound %.1f s); loop: %d requests after the fault, %d '
          'after it was out, %d failed' % (
              bn.mode, victim, fault,
              '%.2f' % down if down is not None else 'never',
              len(victims),
              '%.2f' % rules_gone if rules_gone is not None else 'never',
              bound, len(after_fault), len(after_out), len(failed)))
    assert down is not None and down <= bound, \
        '%s still takes connections %.1f s after the fault (%s)' % (
            victim, bound, down)
    assert rules_gone is not None and rules_gone <= bound, \
        'rules of %s\'s connections still there %.1f s after the fault (%s)' % (
            victim, bound, rules_gone)
    assert not [i for i in after_fault if lines[i][-1] == victim], \
        'requests after the fault served by %s: %s' % (victim, loop_report(bn, lines))
    assert len(after_out) >= 3, 'the loop hardly ran once %s was out: %s' % (
        victim, loop_report(bn, lines))
    assert not [i for i in after_out if lines[i][0] != '200'], \
        'requests failed after %s was out: %s' % (victim, loop_report(bn, lines))
    assert len(failed) <= 1 and all(started_ms(lines, i) < out_ms
                                    for i in failed), loop_report(bn, lines)
    assert not broken, 'downloads from the other server broke: %s' % broken

    wait_for(lambda: bn.takes_connections(bn.servers_by_address()[victim_ip]),
             30, '%s back' % victim)
    results = [bn.curl(bn.client_names[i % 2], '/after-silence/%d' % i)
               for i in range(10)]
    assert all(r.status == 200 for r in results), \
        [r.describe() for r in results if r.status != 200]
    assert any(r.served_by == victim for r in results), \
        '%s gets new connections once back' % victim


# Listens on the stall port and never answers: nginx's /stall/ then holds
# its request (the kernel accepts the connection into the backlog).
STALL = ('import socket, time\n'
         's = socket.socket()\n'
         's.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n'
         's.bind(("127.0.0.1", %d))\n'
         's.listen(64)\n'
         'print("stalling", flush=True)\n'
         'time.sleep(3600)\n' % STALL_PORT)


def set_links(bn, server, state):
    "A server's data and management links up or down (down: a dead machine)."
    host = bn.host(server)
    for intf in host.intfList():
        if intf.name != 'lo':
            host.cmd('ip link set %s %s' % (intf.name, state))


def test_a_get_whose_server_died_before_answering_goes_to_another(bn):
    if bn.mode != 'nat':
        pytest.skip('nat only: in dsr a dead server that comes back could '
                    'still send into the connection from the VIP')
    servers = [n for n in bn.server_names
               if bn.takes_connections(bn.servers_by_address()[
                   bn.address_of(n)])]
    for name in servers:
        bn.procs.start('stall-' + name, bn.host(name),
                       [PYTHON, '-c', STALL],
                       os.path.join(bn.run_dir, 'stall-%s.log' % name))
    for name in servers:
        wait_for(lambda: listens(bn.host(name), '127.0.0.1:%d' % STALL_PORT),
                 10, 'the stalling listener on %s' % name)
    victim = None
    try:
        rescued_before = bn.rest_get('stats')['counters']['handoffsRescued']
        result = {}
        client = threading.Thread(target=lambda: result.update(
            r=bn.curl('c1', '/stall/rescue', timeout=30)))
        client.start()
        wait_for(lambda: [c for c in handed_off(bn)], 10,
                 'the GET to be handed off')
        conn = handed_off(bn)[0]
        victim = next(n for n in bn.server_names
                      if bn.address_of(n) == conn['server'])
        for name in servers:
            if name != victim:
                bn.procs.stop('stall-' + name)  # the others answer at once
        time.sleep(0.5)  # the server holds the request: nothing sent yet
        died = time.monotonic()
        set_links(bn, victim, 'down')
        client.join(30)
        took = time.monotonic() - died
        r = result.get('r')
        assert r is not None, 'the client is still waiting'
        assert r.status == 200 and r.served_by != victim, r.describe()
        assert r.body.decode().endswith('stall\n'), r.describe()
        rescued = bn.rest_get('stats')['counters']['handoffsRescued']
        assert rescued == rescued_before + 1, 'handoffsRescued %d -> %d' % (
            rescued_before, rescued)
        print('\n[%s] %s died holding a GET: answered by %s %.2f s later '
              '(heartbeat timeout, two reads of the reply rule)' % (
                  bn.mode, victim, r.served_by, took))

        # Back again: its agent lists the connection it held, and the
        # controller has it aborted there (silently: the client is done).
        set_links(bn, victim, 'up')
        wait_for(lambda: bn.takes_connections(
            bn.servers_by_address()[bn.address_of(victim)]), 30,
            '%s back' % victim)
        wait_for(lambda: 'aborted by the controller' in open(
            bn.agent_log(victim), errors='replace').read(), 10,
            'the connection %s held to be aborted there' % victim)
    finally:
        for name in servers:
            bn.procs.stop('stall-' + name)
        if victim is not None:
            set_links(bn, victim, 'up')


def tcp_resets_sent(host):
    "The TCP resets a host's kernel has sent so far (OutRsts of its namespace)."
    rows = [line.split() for line in host.cmd('cat /proc/net/snmp').splitlines()
            if line.startswith('Tcp:')]
    return int(rows[1][rows[0].index('OutRsts')])


def test_a_paused_servers_late_segments_never_reach_the_client(bn):
    """A server's agent pauses (SIGSTOP) while it prepares a handoff; the
       controller gives the connection up and resets the client. Back, the
       server still sends into it (hping3 plays its kernel, from its own
       address and port 80): the switch drops those segments by the
       quarantine rule the controller put in for the connection (or the
       controller does, if one comes up before that rule is in), so the
       client, which would answer a segment from the server's own address
       with a reset, never sees them, even if the switch learnt a plain rule
       toward it meanwhile. Then every request to the returned server is
       served."""
    if bn.mode != 'nat':
        pytest.skip('nat only: in dsr a server answers from the VIP and needs '
                    'no rewrite')
    victim = 'h2'
    victim_ip = bn.address_of(victim)
    agent = bn.procs.procs['agent-' + victim]
    dropped_before = bn.rest_get('stats')['counters']['strayServerSegmentsDropped']
    os.kill(agent.pid, signal.SIGSTOP)
    try:
        given_up = None
        for i in range(4):  # round robin: one of the first two goes to the paused server
            r = bn.curl('c2', '/paused/%d' % i, timeout=10)
            if r.status != 200:
                given_up = r
                break
        assert given_up is not None, 'no request went to the paused server'
        assert 'reset' in given_up.error, given_up.describe()
        resets_before = tcp_resets_sent(bn.host('c2'))
        bn.host(victim).cmd('hping3 -q -c 3 -i u20000 -s 80 -k -p %d -A -P '
                            '-d 100 %s' % (given_up.local_port, bn.host('c2').IP()))
        # Dropped by the switch's quarantine rule for the connection, or, if they
        # still come up (the rule not in yet), by the controller.
        wait_for(lambda: bn.rest_get('stats')['counters'][
            'strayServerSegmentsDropped'] - dropped_before
            + quarantined_packets(given_up.local_port) >= 3, 5,
            'the late segments to be dropped')
        time.sleep(0.3)
        assert tcp_resets_sent(bn.host('c2')) == resets_before, \
            'the client got the late segments and reset them'
    finally:
        os.kill(agent.pid, signal.SIGCONT)
    wait_for(lambda: bn.takes_connections(bn.servers_by_address()[victim_ip]),
             30, '%s back' % victim)
    results = [bn.curl('c2', '/after-pause/%d' % i) for i in range(20)]
    assert all(r.status == 200 for r in results), \
        [r.describe() for r in results if r.status != 200]
    assert any(r.served_by == victim for r in results), \
        'the returned server gets new connections'
