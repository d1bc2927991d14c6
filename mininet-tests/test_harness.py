"""The topology and the servers themselves, without Baton: s1 is a plain
learning switch (fail-mode standalone) and clients reach the servers at their
own addresses.  When these fail, the end-to-end tests cannot tell anything.

Test plan, per mode:
  - each server answers directly, naming itself in X-Served-By and the body
  - /files/ serves the 1 MiB and 100 MiB files intact
  - /upload reads a 200 KiB body whole
  - the agent's upstreams: 127.0.0.1:8080 plain, 127.0.0.1:8081 with PROXY
    protocol v2, whose source address lands in the access log
  - offloads are off on every host interface
  - management network: servers reach ctl; m1's own port in the root
    namespace has 192.168.254.254/24 and reaches ctl (the path ovs-vswitchd
    takes to the controller)
  - the VIP sits on each server's loopback (with arp_ignore=1,
    arp_announce=2) in dsr mode only, and no server answers ARP for it
"""

import json
import subprocess
import uuid

import pytest

from baton_net import MODES, VIP, baton_network
from baton_net.hostexec import run_in
from baton_net.topo import (MGMT_CONTROLLER_IP, MGMT_ROOT_IP, MGMT_SWITCH,
                            server_ip)


@pytest.fixture(scope='module', params=MODES)
def plain(request, shared_files):
    "A network of the given mode without controller or agents."
    with baton_network(request.param, controller=False,
                       files_dir=shared_files) as bn:
        yield bn


def direct(bn, server, path):
    return 'http://%s%s' % (bn.address_of(server), path)


def test_each_server_answers_directly(plain):
    for server in plain.server_names:
        for path, kind in (('/', 'static'), ('/api/x', 'api')):
            r = plain.curl('c1', direct(plain, server, path))
            assert r.status == 200, r.describe()
            assert r.served_by == server, r.describe()
            assert r.text == '%s %s\n' % (server, kind), r.describe()


@pytest.mark.parametrize('name', ['1m.bin', '100m.bin'])
def test_files_arrive_intact(plain, name):
    expected = plain.files[name]
    r = plain.curl('c2', direct(plain, 'h2', expected.path), timeout=120)
    assert r.status == 200, r.describe()
    assert r.size == expected.size, r.describe()
    assert r.sha256 == expected.sha256, 'corrupted: ' + r.describe()


def test_upload_reads_whole_body(plain, tmp_path):
    body = tmp_path / 'body.bin'
    body.write_bytes(bytes(range(256)) * 800)          # 200 KiB
    r = plain.curl('c1', direct(plain, 'h1', '/upload'), data_file=str(body))
    assert r.status == 200, r.describe()
    assert r.text == 'h1 upload %d\n' % (256 * 800), r.describe()


def test_agent_upstreams(plain):
    "What baton-agent connects to, from inside the server."
    plain_port = plain.raw_request('h1', '/api/plain', host='127.0.0.1',
                                   port=8080)
    assert plain_port['status'] == 200, plain_port
    assert plain_port['served_by'] == 'h1', plain_port

    path = '/api/proxied-%s' % uuid.uuid4().hex
    proxied = plain.raw_request('h1', path, host='127.0.0.1', port=8081,
                                proxy_v2='10.0.0.2:40000', piece=9,
                                delay=0.02)
    assert proxied['status'] == 200, proxied
    entries = [e for e in plain.access_log('h1') if e['uri'] == path]
    assert len(entries) == 1, 'one log entry for %s: %s' % (path, entries)
    assert entries[0]['proxy_protocol_addr'] == '10.0.0.2', entries[0]


def test_offloads_off_on_every_host_interface(plain):
    for host in plain.net.hosts:
        for intf in host.intfNames():
            if intf == 'lo':
                continue
            _, out, _ = run_in(host, ['ethtool', '--json', '-k', intf])
            features = json.loads(out)[0]
            for feature in ('tx-checksumming', 'rx-checksumming',
                            'scatter-gather', 'tcp-segmentation-offload',
                            'generic-segmentation-offload'):
                assert not features[feature]['active'], \
                    '%s %s: %s is on' % (host.name, intf, feature)


def test_management_network(plain):
    for server in plain.server_names:
        code, _, err = run_in(plain.host(server),
                              ['ping', '-c1', '-W2', MGMT_CONTROLLER_IP],
                              check=False)
        assert code == 0, '%s cannot reach ctl: %s' % (server, err)

    out = subprocess.run(['ip', '-j', '-4', 'addr', 'show', 'dev',
                          MGMT_SWITCH], capture_output=True, text=True,
                         check=True).stdout
    addresses = {(a['local'], a['prefixlen'])
                 for a in json.loads(out)[0]['addr_info']}
    assert (MGMT_ROOT_IP, 24) in addresses, addresses
    # The path ovs-vswitchd takes to the controller.
    done = subprocess.run(['ping', '-c1', '-W2', MGMT_CONTROLLER_IP],
                          capture_output=True, text=True)
    assert done.returncode == 0, 'root namespace cannot reach ctl: %s' % (
        done.stdout + done.stderr)


def test_vip_on_servers_only_in_dsr(plain):
    dsr = plain.mode == 'dsr'
    for server in plain.server_names:
        host = plain.host(server)
        _, out, _ = run_in(host, ['ip', '-j', '-4', 'addr', 'show', 'dev',
                                  'lo'])
        addresses = {a['local'] for a in json.loads(out)[0]['addr_info']}
        assert (VIP in addresses) == dsr, '%s lo: %s' % (server, addresses)
        for key, value in (('arp_ignore', '1'), ('arp_announce', '2')):
            _, out, _ = run_in(host, ['sysctl', '-n',
                                      'net.ipv4.conf.all.' + key])
            assert (out.strip() == value) == dsr, '%s %s=%s' % (
                server, key, out.strip())

    # Without a controller nobody may answer ARP for the VIP, in dsr mode
    # too (arp_ignore=1): c1 ends without a neighbour entry for it.
    client = plain.host('c1')
    code, _, _ = run_in(client, ['ping', '-c1', '-W1', VIP], check=False)
    assert code != 0, 'something answered for the VIP without a controller'
    _, out, _ = run_in(client, ['ip', '-j', 'neigh', 'show', VIP])
    learned = [n for n in json.loads(out or '[]') if n.get('lladdr')]
    assert not learned, 'a server claimed the VIP: %s' % learned
    # ... while the servers' own addresses still resolve.
    code, _, _ = run_in(client, ['ping', '-c1', '-W2', server_ip(1)],
                        check=False)
    assert code == 0, 'c1 cannot reach h1'
