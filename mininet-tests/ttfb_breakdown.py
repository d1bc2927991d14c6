#!/usr/bin/python3
"""Where Baton's time to first byte goes, hop by hop: packet captures on the
controller host and on the server during requests at a fixed rate.

Not a test.  After building (mvn -q -DskipTests package) and
scripts/setup.sh, as root:

    /usr/bin/python3 mininet-tests/ttfb_breakdown.py [--mode dsr] [--rate 50]
        [--requests 300] [--warmup 25]

One network whose static pool holds only h1.  curl in c1 makes --requests
requests at --rate per second to h1 directly; then Baton's path is warmed up
with wrk through the VIP (64 connections, --warmup seconds: the JVMs compile
what the bench's rate phase makes them compile), the switch left to settle
(few rules and datapath flows again), and curl makes as many through the VIP
while tcpdump captures on ctl (OpenFlow and the handoff channel) and on h1
(the handoff channel, the agent's loopback connections to nginx, the VIP's
replies).  Printed, as medians:
  - curl: connect and request-to-first-byte, direct and through Baton
  - controller: SYN packet-in to SYN-ACK packet-out; SYN-ACK packet-out to
    the request's packet-in (switch, client, switch); request packet-in to
    the handoff request
  - agent: handoff request to the request written to nginx; nginx; nginx's
    answer to the first response segment leaving for the client; handoff
    request to ready, and to that first segment
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mininet.log import info, setLogLevel  # noqa: E402

from baton_net import VIP, baton_network  # noqa: E402
from bench import settle  # noqa: E402
from baton_net.hostexec import run_in  # noqa: E402
from baton_net.webserver import (PLAIN_UPSTREAM_PORT,  # noqa: E402
                                 PROXY_PROTOCOL_UPSTREAM_PORT)

DIRECT = 'http://10.0.0.11'
SERVER_IP = '10.0.0.11'
TCPDUMP_LINE = re.compile(
    r'(\d+\.\d+) (\S+)\s+(In|Out)\s+IP (\S+) > (\S+): Flags \[[^\]]*\].*'
    r'length (\d+)')
OPENFLOW_LINE = re.compile(r'version 1\.3, type (\w+), length (\d+)')


def requests(bn, base, count, rate):
    "curl in c1, a new connection per request: [(connect ms, first byte ms)]"
    argv = ['curl', '-s', '-H', 'Connection: close', '--rate', '%d/s' % rate,
            '-w', '%{time_connect} %{time_starttransfer}\\n']
    for i in range(count):
        argv += ['-o', '/dev/null', '%s/breakdown/%d' % (base, i)]
    _, out, _ = run_in(bn.host('c1'), argv, timeout=count / rate + 120)
    return [tuple(float(x) * 1000 for x in line.split())
            for line in out.splitlines() if line.strip()]


def packets(capture):
    """(time, direction, source, destination, payload length, OpenFlow
       messages as (TYPE, length)) of each packet with a payload; tcpdump
       decodes OpenFlow on its port, one message a line under the packet's."""
    out = subprocess.run(['tcpdump', '-tt', '-n', '-r', capture],
                         capture_output=True, text=True).stdout
    last = None
    for line in out.splitlines():
        m = TCPDUMP_LINE.match(line)
        if m:
            if last:
                yield last
            last = None
            if int(m.group(6)) > 0:
                last = (float(m.group(1)), m.group(3), m.group(4),
                        m.group(5), int(m.group(6)), [])
            continue
        of = OPENFLOW_LINE.search(line)
        if last and of:
            last[5].append((of.group(1), int(of.group(2))))
    if last:
        yield last


def controller_events(capture, handoff_port, openflow_port):
    """The controller host's packets as events, by size.  A SYN's packet-in
       is 116 bytes here (no payload, 20 bytes of options), the handshake's
       ACK's 108 (12), one with a request 150 or more; the SYN-ACK's
       packet-out is the controller's first short one after the SYN's."""
    of, ho = '.%d' % openflow_port, '.%d' % handoff_port
    for t, _, src, dst, n, messages in packets(capture):
        if dst.endswith(of):
            ins = [size for kind, size in messages if kind == 'PACKET_IN']
            if any(112 <= size <= 124 for size in ins):
                yield t, 'syn in'
            elif any(size >= 150 for size in ins):
                yield t, 'request in'
        elif src.endswith(of):
            if any(kind == 'PACKET_OUT' and size <= 120
                   for kind, size in messages):
                yield t, 'syn-ack out'
        elif src.endswith(ho) and n > 150:
            yield t, 'handoff out'


def server_events(capture, handoff_port, upstream_port):
    ho, up = '.%d' % handoff_port, '.%d' % upstream_port
    for t, direction, src, dst, n, _ in packets(capture):
        if src.endswith(ho) and n > 150:
            yield t, 'handoff in'
        elif dst.endswith(ho) and direction == 'Out' and n < 20:
            yield t, 'ready out'
        elif dst.endswith(up) and src.startswith('127.'):
            yield t, 'to nginx'
        elif src.endswith(up) and dst.startswith('127.'):
            yield t, 'from nginx'
        elif direction == 'Out' and src in (VIP + '.80', SERVER_IP + '.80'):
            yield t, 'to client'   # the VIP's (dsr) or the server's (nat)


def spans(events, start, ends, window=15):
    """For each `start` event, the time to the first of each later event (in
       `ends`) before the next `start`: {end: [ms]}."""
    events = list(events)
    found = {e: [] for e in ends}
    for i, (t, kind) in enumerate(events):
        if kind != start:
            continue
        seen = {}
        for t2, kind2 in events[i + 1:i + 1 + window]:
            if kind2 == start:
                break
            seen.setdefault(kind2, t2)
        for e in ends:
            a, b = (t, e) if isinstance(e, str) else (seen.get(e[0]), e[1])
            if a is not None and b in seen and seen[b] >= a:
                found[e].append((seen[b] - a) * 1000)
    return found


def median(values):
    return '%.3f' % statistics.median(values) if values else '-'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--mode', default='dsr', choices=('nat', 'dsr'))
    parser.add_argument('--rate', type=int, default=50)
    parser.add_argument('--requests', type=int, default=300)
    parser.add_argument('--warmup', type=int, default=25)
    args = parser.parse_args()
    setLogLevel('info')
    overrides = {'services': [{
        'name': 'web', 'vip': VIP, 'port': 80, 'mode': args.mode,
        'pools': [{'name': 'static', 'policy': 'round-robin',
                   'servers': [SERVER_IP]}],
        'defaultPool': 'static'}]}
    with baton_network(args.mode, config_overrides=overrides) as bn:
        handoff_port = bn.config['handoff']['port']
        upstream_port = PROXY_PROTOCOL_UPSTREAM_PORT if bn.proxy_protocol \
            else PLAIN_UPSTREAM_PORT
        openflow_port = bn.config['openflow']['port']
        # Direct first: Baton's warm-up leaves TIME_WAITs on h1 (in nat on
        # 10.0.0.11:80) that direct connections from c1's ports then meet
        # (a warm-up of the direct path itself left it with a 3.5 ms connect
        # at p50).  Only Baton's JVMs have code to compile.
        info('*** %d requests at %d/s, direct\n' % (args.requests, args.rate))
        direct = requests(bn, DIRECT, args.requests, args.rate)
        info('*** warming up Baton (%d s)\n' % args.warmup)
        run_in(bn.host('c1'), ['wrk', '-t2', '-c64', '-d%ds' % args.warmup,
                               '-H', 'Connection: close', 'http://%s/' % VIP],
               timeout=args.warmup + 60)
        settle('after the warm-up')  # the connections' rules and flows gone
        captures = {h: os.path.join(bn.run_dir, '%s.pcap' % h)
                    for h in ('ctl', 'h1')}
        for host, capture in captures.items():
            bn.procs.start('tcpdump-' + host, bn.host(host),
                           ['tcpdump', '-i', 'any', '-n', '-s', '200', '-U',
                            '-w', capture, 'tcp'],
                           os.path.join(bn.run_dir, 'tcpdump-%s.log' % host))
        time.sleep(1)  # tcpdump is listening
        info('*** %d requests at %d/s through the VIP\n'
             % (args.requests, args.rate))
        via = requests(bn, 'http://' + VIP, args.requests, args.rate)
        time.sleep(1)
        for host in captures:
            bn.procs.stop('tcpdump-' + host)
        ctl = spans(controller_events(captures['ctl'], handoff_port,
                                      openflow_port),
                    'syn in', ['syn-ack out', ('syn-ack out', 'request in'),
                               ('request in', 'handoff out')])
        agent = spans(server_events(captures['h1'], handoff_port,
                                    upstream_port),
                      'handoff in', ['to nginx', ('to nginx', 'from nginx'),
                                     ('from nginx', 'to client'),
                                     'ready out', 'to client'])
    print('\nmedians in ms, %s mode, %d requests at %d/s' % (
        args.mode, args.requests, args.rate))
    for label, rows in (('direct', direct), ('baton', via)):
        print('curl %-7s connect %s, request to first byte %s' % (
            label, median([c for c, _ in rows]),
            median([f - c for c, f in rows])))
    print('controller: SYN packet-in to SYN-ACK packet-out %s; SYN-ACK out '
          'to the request\'s packet-in %s; request packet-in to the handoff '
          'request %s (n=%d)' % (
              median(ctl['syn-ack out']),
              median(ctl[('syn-ack out', 'request in')]),
              median(ctl[('request in', 'handoff out')]),
              len(ctl['syn-ack out'])))
    print('agent: handoff request to the request at nginx %s; nginx %s; '
          'its answer to the client %s; handoff request to ready %s, to the '
          'first segment to the client %s (n=%d)' % (
              median(agent['to nginx']),
              median(agent[('to nginx', 'from nginx')]),
              median(agent[('from nginx', 'to client')]),
              median(agent['ready out']), median(agent['to client']),
              len(agent['to client'])))


if __name__ == '__main__':
    main()
