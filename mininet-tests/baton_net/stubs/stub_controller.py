#!/usr/bin/python3
"""A stand-in for bin/baton-controller, used only to check the harness
itself (test_harness.py) while the real controller is not there: it reads the
same --config file and listens where the real one would.

- OpenFlow: says HELLO (version 1.3), asks for features and answers echo
  requests, which is enough for ovs-vswitchd to report is_connected=true.
  It installs no flow: with fail-mode secure, s1 forwards nothing.
- Handoff port: counts agents (stub_agent.py) that announce themselves with
  one JSON line {"address": ...}.
- REST: GET /api/v1/servers and /api/v1/stats in the real shapes, with the
  bearer token check; every counter is zero.
"""

import argparse
import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OFP_VERSION_13 = 4
OFPT_HELLO, OFPT_ECHO_REQUEST, OFPT_ECHO_REPLY, OFPT_FEATURES_REQUEST = 0, 2, 3, 5


class State:
    def __init__(self, config):
        self.config = config
        self.lock = threading.Lock()
        self.agents = {}          # address -> open connections
        self.switches = 0

    def agent(self, address, delta):
        with self.lock:
            self.agents[address] = self.agents.get(address, 0) + delta

    def servers(self):
        with self.lock:
            connected = {a for a, n in self.agents.items() if n > 0}
        rows = {}
        for s in self.config['services']:
            for p in s['pools']:
                for a in p['servers']:
                    up = a in connected
                    row = rows.setdefault(a, {
                        'address': a, 'agentConnected': up,
                        'activeConnections': 0, 'handoffsOk': 0,
                        'handoffsFailed': 0, 'pools': []})
                    row['pools'].append({
                        'service': s['name'], 'pool': p['name'],
                        'health': 'up' if up else 'no-agent',
                        'state': 'active' if up else 'down'})
        return list(rows.values())

    def stats(self):
        return {'packetIn': {'total': 0, 'arp': 0, 'vipTcp': 0, 'other': 0},
                'handoffs': {'ok': 0, 'failed': 0},
                'connections': {'active': 0, 'halfOpen': 0},
                'serverToClientPayloadBytes': 0,
                'switches': self.switches}


def listener(address, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    sock.listen(64)
    return sock


def recv_exact(conn, n):
    data = b''
    while len(data) < n:
        block = conn.recv(n - len(data))
        if not block:
            raise EOFError
        data += block
    return data


def openflow_session(conn, state):
    with state.lock:
        state.switches += 1
    try:
        conn.sendall(struct.pack('!BBHI', OFP_VERSION_13, OFPT_HELLO, 8, 1))
        conn.sendall(struct.pack('!BBHI', OFP_VERSION_13,
                                 OFPT_FEATURES_REQUEST, 8, 2))
        while True:
            version, kind, length, xid = struct.unpack(
                '!BBHI', recv_exact(conn, 8))
            body = recv_exact(conn, length - 8)
            if kind == OFPT_ECHO_REQUEST:
                conn.sendall(struct.pack('!BBHI', version, OFPT_ECHO_REPLY,
                                         length, xid) + body)
    except (EOFError, OSError):
        pass
    finally:
        with state.lock:
            state.switches -= 1
        conn.close()


def agent_session(conn, state):
    address = None
    try:
        hello = json.loads(conn.makefile().readline())
        address = hello['address']
        state.agent(address, +1)
        while conn.recv(4096):
            pass
    except (ValueError, KeyError, OSError):
        pass
    finally:
        if address:
            state.agent(address, -1)
        conn.close()


def serve(sock, session, state):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=session, args=(conn, state),
                         daemon=True).start()


def rest_handler(state, token):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.headers.get('Authorization') != 'Bearer ' + token:
                return self.answer(401, {'error': 'unauthorized'})
            if self.path == '/api/v1/servers':
                return self.answer(200, state.servers())
            if self.path == '/api/v1/stats':
                return self.answer(200, state.stats())
            return self.answer(404, {'error': 'not found'})

        def answer(self, status, value):
            body = json.dumps(value).encode()
            self.send_response(status)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt, *args):
            pass
    return Handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--config', required=True)
    config = json.load(open(p.parse_args().config))
    state = State(config)
    with open(config['rest']['tokenFile']) as f:
        token = f.read().strip()

    of = listener(config['openflow']['address'], config['openflow']['port'])
    handoff = listener(config['handoff']['address'], config['handoff']['port'])
    threading.Thread(target=serve, args=(of, openflow_session, state),
                     daemon=True).start()
    threading.Thread(target=serve, args=(handoff, agent_session, state),
                     daemon=True).start()
    rest = ThreadingHTTPServer((config['rest']['address'],
                                config['rest']['port']),
                               rest_handler(state, token))
    print('stub controller listening', flush=True)
    rest.serve_forever()


if __name__ == '__main__':
    main()
