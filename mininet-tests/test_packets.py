"""Hostile packets from a client host (c1) to the VIP, in nat and in dsr
mode: each is counted by the controller (or by the server's kernel, once the
switch's rules send the connection past the controller), has a clear outcome,
and legitimate requests from c2 just before and after are all served.

hping3 forges the packets; baton_net/tools/tcp_peek.py reads the sequence
numbers of a live connection off the client's interface, so that a forged
segment lands where it should.  Quick: a few seconds each, and the same in
the full run of every fault and attack test (test_faults.py, test_attacks.py,
test_meters.py, this file):
    BATON_FULL=1 bash scripts/test.sh --mininet-only -- -k "test_faults or test_attacks or test_meters or test_packets"

Test plan, per mode:
  1. IP fragments (a SYN cut in 16-byte fragments): counted as
     fragmentsToVip and dropped; no answer
  2. a SYN with a bad TCP checksum: counted as badTcpChecksum; no SYN-ACK,
     no half-open entry (synReceived does not move)
  3. SYN+FIN: counted as invalidSegments; no answer
  4. a segment out of order (1,000 bytes ahead) while the controller still
     collects a request head: counted as outOfOrderSegments, answered with a
     duplicate ACK; the request, completed in order, is served
  5. a blind RST (in the window, not the exact sequence number) while the
     controller collects a request head: RFC 5961 challenge ACK
     (challengeAcksSent), and one far outside the window is ignored
     (resetsIgnored); no reset (clientResets does not move), the request is
     served
  6. the head's first piece sent again with other bytes (a forged overlap):
     counted as overlapConflicts; the server gets the request the controller
     parsed first (nginx's access log), not the forged one
  7. an ACK with a zero window during the head: counted as
     zeroWindowSegments; the request is served
  8. a blind RST into a live download, which the switch sends to the server:
     its kernel answers with a challenge ACK (TCPChallengeACK, or
     TCPACKSkippedChallenge when its rate limit holds the answer back) and
     the download completes intact (sha256); the controller sees nothing
"""

import json
import os
import re
import subprocess

from baton_net import run_in, wait_for
from baton_net.network import PYTHON, TOOLS
from baton_net.topo import VIP

ATTACKER = 'c1'
LEGITIMATE = 'c2'
FILE = '10m.bin'
READ_RATE = 2 << 20  # bytes/s: the 10 MiB download lasts 5 s


def counters(bn):
    return bn.rest_get('stats')['counters']


def moved(before, after, *names):
    return {n: after[n] - before[n] for n in names}


def legitimate_requests_served(bn, label, count=5):
    results = [bn.curl(LEGITIMATE, '/%s/%d' % (label, i)) for i in range(count)]
    bad = [r.describe() for r in results if r.status != 200]
    assert not bad, 'legitimate requests %s failed: %s' % (label, bad)


def hping(bn, *args):
    """hping3 from the attacker to the VIP's port 80; the number of answers
       it got."""
    _, out, err = run_in(bn.host(ATTACKER),
                         ['hping3', '-p', '80'] + list(args) + [VIP],
                         timeout=30, check=False)
    got = re.search(r'(\d+) packets transmitted, (\d+) packets received',
                    out + err)
    assert got, 'hping3 %s: %s%s' % (' '.join(args), out, err)
    return int(got.group(2))


def tcp_counter(host, name):
    "A TcpExt counter of a host's network namespace (/proc/net/netstat)."
    rows = [line.split() for line in host.cmd('cat /proc/net/netstat').splitlines()
            if line.startswith('TcpExt:')]
    return int(rows[1][rows[0].index(name)])


class Peek:
    """tools/tcp_peek.py in a host: the first segment host sends from
       ip:port (with data=True, the first one with a payload)."""

    def __init__(self, bn, host, port, data=False):
        host = bn.host(host)
        argv = [PYTHON, os.path.join(TOOLS, 'tcp_peek.py'),
                host.defaultIntf().name, host.IP(), str(port), '--timeout', '10']
        if data:
            argv.append('--data')
        # Unbuffered: a buffered readline() may take the segment's line that
        # follows 'ready' into its buffer, where communicate() (which reads
        # the pipe itself) never sees it.  CI lost a segment that way.
        self.proc = host.popen(argv, stdin=subprocess.DEVNULL, bufsize=0,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        line = self.proc.stdout.readline().decode().strip()
        assert line == 'ready', 'tcp_peek: %r %s' % (
            line, self.proc.stderr.read().decode())

    def segment(self):
        out, err = self.proc.communicate(timeout=15)
        assert out.strip(), 'tcp_peek printed nothing (exit %s): %s' % (
            self.proc.returncode, err.decode())
        seen = json.loads(out.decode())
        assert 'seq' in seen, 'no segment seen: %s %s' % (seen, err.decode())
        return seen


class RawRequest:
    """tools/raw_http.py in the attacker, from a known port: with
       SLOW_HEAD, its request head arrives in three pieces 1.2 s apart (the
       controller collects it for over two seconds); with a read rate, its
       response is read at that pace."""

    def __init__(self, bn, path, port, *options):
        self.proc = bn.host(ATTACKER).popen(
            [PYTHON, os.path.join(TOOLS, 'raw_http.py'), VIP, '80', path,
             '--local-port', str(port), '--timeout', '30'] + list(options),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)

    def running(self):
        return self.proc.poll() is None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()

    def result(self):
        try:
            out, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError('raw_http still running after 60 s') from None
        assert self.proc.returncode == 0, 'raw_http: %s' % err.decode()
        return json.loads(out.decode())


SLOW_HEAD = ('--piece', '35', '--delay', '1.2')


def test_ip_fragments_to_the_vip_are_counted_and_dropped(bn):
    legitimate_requests_served(bn, 'before-fragments')
    before = counters(bn)
    # 3 SYNs of 20 + 64 bytes, each in 16-byte fragments: 6 fragments apiece.
    answers = hping(bn, '-c', '3', '-i', 'u100000', '-S', '-f', '-d', '64')
    after = counters(bn)
    delta = moved(before, after, 'fragmentsToVip', 'synReceived')
    print('\n[%s] 3 fragmented SYNs: %s, %d answers' % (bn.mode, delta, answers))
    assert delta['fragmentsToVip'] >= 3 * 6, \
        'every fragment counted: %s' % delta
    assert delta['synReceived'] == 0 and answers == 0, \
        'a fragmented SYN was answered: %s, %d answers' % (delta, answers)
    legitimate_requests_served(bn, 'after-fragments')


def test_a_bad_tcp_checksum_is_counted_and_dropped(bn):
    legitimate_requests_served(bn, 'before-checksum')
    before = counters(bn)
    answers = hping(bn, '-c', '5', '-i', 'u100000', '-S', '-b')
    after = counters(bn)
    delta = moved(before, after, 'badTcpChecksum', 'synReceived')
    print('\n[%s] 5 SYNs with a bad TCP checksum: %s, %d answers' % (
        bn.mode, delta, answers))
    assert delta['badTcpChecksum'] >= 5, 'every bad checksum counted: %s' % delta
    assert delta['synReceived'] == 0 and answers == 0, \
        'a SYN with a bad checksum was taken: %s, %d answers' % (delta, answers)
    assert bn.rest_get('stats')['connections']['halfOpen'] == 0
    legitimate_requests_served(bn, 'after-checksum')


def test_syn_fin_is_counted_as_invalid_and_dropped(bn):
    legitimate_requests_served(bn, 'before-synfin')
    before = counters(bn)
    answers = hping(bn, '-c', '5', '-i', 'u100000', '-S', '-F')
    after = counters(bn)
    delta = moved(before, after, 'invalidSegments', 'synReceived')
    print('\n[%s] 5 SYN+FIN: %s, %d answers' % (bn.mode, delta, answers))
    assert delta['invalidSegments'] >= 5, 'every SYN+FIN counted: %s' % delta
    assert delta['synReceived'] == 0 and answers == 0, \
        'a SYN+FIN was taken for a SYN: %s, %d answers' % (delta, answers)
    legitimate_requests_served(bn, 'after-synfin')


def raw_http_head(path):
    "The request head raw_http.py sends for a GET of path (as it writes it)."
    return ('GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: baton-raw-http\r\n'
            'Accept: */*\r\nConnection: close\r\n\r\n' % (path, VIP)).encode()


def forge_into_a_head(bn, port, path, *forged):
    """A request head in pieces from `port`; once its first piece is seen,
       hping3 sends one segment for each (offset, flags) in `forged`: at
       `offset` bytes from what the controller expects next.  Returns
       raw_http's answer, the counters before and after, and the first
       piece (seq, ack, len, next)."""
    peek = Peek(bn, ATTACKER, port, data=True)
    before = counters(bn)
    request = RawRequest(bn, path, port, *SLOW_HEAD)
    try:
        seen = peek.segment()
        for offset, flags in forged:
            hping(bn, '-c', '1', '-s', str(port), '-k',
                  '-M', str((seen['next'] + offset) & 0xffffffff),
                  '-L', str(seen['ack']), *flags)
    except BaseException:
        request.kill()
        raise
    result = request.result()
    return result, before, counters(bn), seen


def test_an_out_of_order_segment_is_counted_and_the_request_served(bn):
    legitimate_requests_served(bn, 'before-ooo')
    # 20 bytes, 1,000 bytes past the head's next byte: never in order.
    result, before, after, seen = forge_into_a_head(
        bn, 41001, '/out-of-order', (1000, ('-A', '-P', '-d', '20')))
    delta = moved(before, after, 'outOfOrderSegments', 'invalidSegments',
                  'clientResets')
    print('\n[%s] a segment 1,000 bytes ahead (head next %d): %s; request %s '
          'by %s' % (bn.mode, seen['next'], delta, result['status'],
                     result['served_by']))
    assert delta['outOfOrderSegments'] >= 1, 'not counted: %s' % delta
    assert result['status'] == 200, result
    legitimate_requests_served(bn, 'after-ooo')


def test_a_blind_reset_during_the_head_gets_a_challenge_ack(bn):
    legitimate_requests_served(bn, 'before-blind-rst-head')
    # In the window but not exact: a challenge ACK.  Far outside it: ignored.
    result, before, after, seen = forge_into_a_head(
        bn, 41002, '/blind-reset', (100, ('-R',)), (1 << 30, ('-R',)))
    delta = moved(before, after, 'challengeAcksSent', 'resetsIgnored',
                  'clientResets')
    print('\n[%s] a RST 100 bytes past the head\'s next byte, another 1 GiB '
          'past it: %s; request %s by %s' % (
              bn.mode, delta, result['status'], result['served_by']))
    assert delta['challengeAcksSent'] >= 1 and delta['resetsIgnored'] >= 1, \
        'the resets were not counted: %s' % delta
    assert delta['clientResets'] == 0, \
        'an inexact reset closed the connection: %s' % delta
    assert result['status'] == 200, result
    legitimate_requests_served(bn, 'after-blind-rst-head')


def test_overlapping_bytes_that_disagree_leave_the_parsed_request(bn):
    """The first piece of a head sent again with other bytes (a forged
       overlap): the controller keeps the bytes it received first, which it
       parsed, and the server gets exactly those."""
    legitimate_requests_served(bn, 'before-overlap')
    path, forged_path = '/overlap-original', '/overlap-FORGED!!'
    first = raw_http_head(path)[:int(SLOW_HEAD[1])]
    forged = first.replace(path.encode(), forged_path.encode())
    assert len(forged) == len(first) and forged != first
    data = os.path.join(bn.run_dir, 'forged-overlap.bin')
    with open(data, 'wb') as f:
        f.write(forged)
    result, before, after, seen = forge_into_a_head(
        bn, 41004, path, (-len(first), ('-A', '-P', '-E', data,
                                         '-d', str(len(forged)))))
    delta = moved(before, after, 'overlapConflicts', 'invalidSegments')
    uris = [e['uri'] for e in bn.access_log(result['served_by'])
            if e['uri'].startswith('/overlap-')]
    print('\n[%s] the head\'s first %d bytes again, with %s for %s: %s; '
          'request %s by %s, which got %s' % (
              bn.mode, len(first), forged_path, path, delta,
              result['status'], result['served_by'], uris))
    assert seen['len'] == len(first), 'the first piece: %s' % seen
    assert delta['overlapConflicts'] >= 1, 'not counted: %s' % delta
    assert result['status'] == 200, result
    assert uris == [path], 'the server got %s, not %s' % (uris, path)
    legitimate_requests_served(bn, 'after-overlap')


def test_a_zero_window_during_the_head_is_counted_and_the_request_served(bn):
    legitimate_requests_served(bn, 'before-zero-window')
    result, before, after, seen = forge_into_a_head(
        bn, 41005, '/zero-window', (0, ('-A', '-w', '0')))
    delta = moved(before, after, 'zeroWindowSegments', 'invalidSegments')
    print('\n[%s] an ACK with a zero window during the head: %s; request %s '
          'by %s' % (bn.mode, delta, result['status'], result['served_by']))
    assert delta['zeroWindowSegments'] >= 1, 'not counted: %s' % delta
    assert result['status'] == 200, result
    legitimate_requests_served(bn, 'after-zero-window')


def test_a_blind_reset_into_a_live_download_leaves_it_intact(bn):
    legitimate_requests_served(bn, 'before-blind-rst')
    served = bn.files[FILE]
    client, port = bn.host(ATTACKER).IP(), 41003
    download = RawRequest(bn, served.path, port, '--read-rate', str(READ_RATE))
    try:
        conn = wait_for(lambda: [c for c in bn.rest_get('connections')
                                 if c['client'] == '%s:%d' % (client, port)
                                 and c['state'] == 'handed_off'],
                        10, 'the download to be handed off')[0]
        server = next(n for n in bn.server_names
                      if bn.address_of(n) == conn['server'])
        challenges = tcp_counter(bn.host(server), 'TCPChallengeACK')
        skipped = tcp_counter(bn.host(server), 'TCPACKSkippedChallenge')
        before = counters(bn)
        # The client sends only ACKs now: their seq is what the server
        # expects next.  1,000 bytes on is inside its window, not exact.
        seen = Peek(bn, ATTACKER, port).segment()
        hping(bn, '-c', '1', '-s', str(port), '-k', '-R',
              '-M', str((seen['seq'] + 1000) & 0xffffffff))
        wait_for(lambda: tcp_counter(bn.host(server), 'TCPChallengeACK') +
                 tcp_counter(bn.host(server), 'TCPACKSkippedChallenge') >
                 challenges + skipped, 5,
                 '%s to answer the reset with a challenge ACK' % server)
        after = counters(bn)
        assert download.running(), 'the download ended before the reset'
    except BaseException:
        download.kill()
        raise
    result = download.result()
    delta = moved(before, after, 'clientResets', 'packetInVipTcp')
    print('\n[%s] a RST 1,000 bytes into %s\'s window: challenge ACKs %d -> '
          '%d (skipped by the kernel\'s rate limit %d -> %d); controller %s; '
          'download: %s, %d bytes in %.1f s' % (
              bn.mode, server, challenges,
              tcp_counter(bn.host(server), 'TCPChallengeACK'), skipped,
              tcp_counter(bn.host(server), 'TCPACKSkippedChallenge'), delta,
              result['status'], result['body_bytes'], result['seconds']))
    assert result['status'] == 200 and \
        result['body_bytes'] == served.size and \
        result['body_sha256'] == served.sha256, \
        'the download broke: %s' % {k: v for k, v in result.items()
                                    if k != 'body'}
    assert delta['clientResets'] == 0, delta
    legitimate_requests_served(bn, 'after-blind-rst')
