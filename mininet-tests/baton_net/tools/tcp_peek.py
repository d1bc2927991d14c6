#!/usr/bin/python3
"""Prints the sequence numbers of one TCP segment a host sends, so that a test
can forge segments that fit (or do not fit) into a live connection.  Run
inside a Mininet host by the tests:

  tcp_peek.py INTERFACE SRC_IP SRC_PORT [--data] [--timeout S]

Watches INTERFACE (a packet socket sees outgoing frames too) for the first
TCP segment from SRC_IP:SRC_PORT, with a payload if --data is given.  Prints
'ready' once it listens, then one JSON line: seq, ack, len (payload bytes),
next (seq + len, what the peer expects next), window and flags; or
{"timeout": true}.  Standard library only, for /usr/bin/python3.
"""

import argparse
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
IPPROTO_TCP = 6


def tcp_segment(frame):
    """(src ip, src port, seq, ack, payload length, window, flags) of an
       Ethernet frame that holds a TCP segment, or None."""
    if len(frame) < 14 + 20 or struct.unpack('!H', frame[12:14])[0] != ETH_P_IP:
        return None
    ip = frame[14:]
    ihl = (ip[0] & 0x0f) * 4
    total = struct.unpack('!H', ip[2:4])[0]
    if ip[9] != IPPROTO_TCP or struct.unpack('!H', ip[6:8])[0] & 0x3fff:
        return None  # not TCP, or a fragment
    tcp = ip[ihl:]
    if len(tcp) < 20:
        return None
    src_port, _dst_port, seq, ack = struct.unpack('!HHII', tcp[:12])
    offset = (tcp[12] >> 4) * 4
    flags = tcp[13] | (tcp[12] & 0x01) << 8
    window = struct.unpack('!H', tcp[14:16])[0]
    return (socket.inet_ntoa(ip[12:16]), src_port, seq, ack,
            total - ihl - offset, window, flags)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('interface')
    p.add_argument('src_ip')
    p.add_argument('src_port', type=int)
    p.add_argument('--data', action='store_true',
                   help='only a segment that carries payload')
    p.add_argument('--timeout', type=float, default=10.0)
    args = p.parse_args()

    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                         socket.htons(ETH_P_ALL))
    sock.bind((args.interface, 0))
    print('ready', flush=True)
    deadline = time.monotonic() + args.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            print(json.dumps({'timeout': True}), flush=True)
            return 1
        seg = tcp_segment(sock.recv(65535))
        if seg is None:
            continue
        ip, port, seq, ack, length, window, flags = seg
        if ip != args.src_ip or port != args.src_port or \
                (args.data and length <= 0):
            continue
        print(json.dumps({'seq': seq, 'ack': ack, 'len': length,
                          'next': (seq + length) & 0xffffffff,
                          'window': window, 'flags': flags}), flush=True)
        return 0


if __name__ == '__main__':
    sys.exit(main())
