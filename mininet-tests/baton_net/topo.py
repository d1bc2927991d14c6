"""Baton's Mininet topology: clients and servers on one OpenFlow switch, plus
a management network that joins the controller host and the servers.

    c1 c2 ... (10.0.0.1..)        h1 h2 h3 (10.0.0.11..)
         \\  |                     /  |  /
          +-- s1 (OpenFlow 1.3, fail-mode secure, Baton controller) --+
                                   |  |  |  (hN-eth1, 192.168.254.1x)
    ctl (192.168.254.1) ---------- m1 (Linux kernel bridge)
                                   |
                 root namespace: m1's own port, 192.168.254.254

This machine has no Open vSwitch kernel module, so s1 uses the userspace
datapath (datapath_type=netdev), whose packets ovs-vswitchd's main thread
forwards.  The management network is a kernel bridge, as a separate
management network would be: its traffic (OpenFlow, the agents' channel)
then costs that thread nothing.  (As a second userspace OVS bridge it did,
and a handoff's time to first byte was about 2 ms longer.)  ovs-vswitchd
runs in the root namespace and reaches the controller inside `ctl` through
m1's own port.

Run it by hand with
    mn --custom mininet-tests/baton_net/topo.py --topo baton,2,3
(the harness in baton_net.harness does the rest: offloads, management
address, nginx, controller and agents).
"""

from mininet.node import OVSSwitch, Switch
from mininet.topo import Topo

DATA_PREFIX_LEN = 24
MGMT_PREFIX_LEN = 24
VIP = '10.0.0.100'
MGMT_CONTROLLER_IP = '192.168.254.1'
MGMT_ROOT_IP = '192.168.254.254'
DATA_SWITCH = 's1'
MGMT_SWITCH = 'm1'
CONTROLLER_HOST = 'ctl'
OPENFLOW_PORT = 6653


def client_name(i):
    return 'c%d' % i


def server_name(i):
    return 'h%d' % i


def client_ip(i):
    "Clients are 10.0.0.1, 10.0.0.2, ..."
    return '10.0.0.%d' % i


def server_ip(i):
    "Servers are 10.0.0.11, 10.0.0.12, ..."
    return '10.0.0.%d' % (10 + i)


def server_mgmt_ip(i):
    "A server's management address mirrors its data address: .11, .12, ..."
    return '192.168.254.%d' % (10 + i)


def mac(last_octets):
    "Static MACs 00:00:00:00:XX:YY make packet captures readable."
    return '00:00:00:00:%02x:%02x' % (last_octets >> 8, last_octets & 0xff)


class KernelBridge(Switch):
    """The management network as a Linux kernel bridge (iproute2): its
    traffic (OpenFlow, the agents' channel) is forwarded by the kernel, as a
    separate management network would carry it, and does not load the
    userspace switch whose ofproto thread also forwards the data path."""

    def start(self, _controllers):
        self.cmd('ip link del', self, 'type bridge 2>/dev/null')
        self.cmd('ip link add name', self, 'type bridge stp_state 0 forward_delay 0')
        for i in self.intfList():
            if self.name in i.name:
                self.cmd('ip link set', i, 'master', self)
                self.cmd('ip link set', i, 'up')
        self.cmd('ip link set', self, 'up')

    def stop(self, deleteIntfs=True):
        self.cmd('ip link del', self, 'type bridge 2>/dev/null')
        super().stop(deleteIntfs)

    def connected(self):
        return True


class BatonTopo(Topo):
    """clients: number of client hosts (c1..)
       servers: number of server hosts (h1..), at least 2
       standalone: s1 forwards as a plain learning switch, without any
                   controller (for checking the topology itself)"""

    def build(self, clients=2, servers=3, standalone=False):
        clients, servers = int(clients), int(servers)
        assert 1 <= clients <= 9, 'clients must be 1..9'
        assert 2 <= servers <= 80, 'servers must be 2..80'

        s1 = self.addSwitch(
            DATA_SWITCH, cls=OVSSwitch, datapath='user',
            protocols='OpenFlow13',
            failMode='standalone' if standalone else 'secure',
            # Reconnect to the controller at least every second, so s1
            # connects soon after the controller starts listening.
            reconnectms=1000,
            dpid='0000000000000001')
        m1 = self.addSwitch(
            MGMT_SWITCH, cls=KernelBridge, dpid='00000000000000fe')

        ctl = self.addHost(
            CONTROLLER_HOST,
            ip='%s/%d' % (MGMT_CONTROLLER_IP, MGMT_PREFIX_LEN),
            mac=mac(0xfe01))
        self.addLink(ctl, m1)

        for i in range(1, clients + 1):
            c = self.addHost(client_name(i),
                             ip='%s/%d' % (client_ip(i), DATA_PREFIX_LEN),
                             mac=mac(i))
            self.addLink(c, s1)

        for i in range(1, servers + 1):
            h = self.addHost(server_name(i),
                             ip='%s/%d' % (server_ip(i), DATA_PREFIX_LEN),
                             mac=mac(10 + i))
            self.addLink(h, s1)          # hN-eth0: data
            self.addLink(h, m1,          # hN-eth1: management
                         addr1=mac(0xfe00 + 10 + i),
                         params1={'ip': '%s/%d' % (server_mgmt_ip(i),
                                                   MGMT_PREFIX_LEN)})


topos = {'baton': BatonTopo}
