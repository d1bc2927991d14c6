#!/usr/bin/python3
"""A stand-in for bin/baton-agent (harness self-checks only): takes the same
arguments, announces its server's address to stub_controller.py and stays
connected, reconnecting every half second until it is killed."""

import argparse
import json
import socket
import subprocess
import time


def interface_address(name):
    out = subprocess.run(['ip', '-j', '-4', 'addr', 'show', 'dev', name],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)[0]['addr_info'][0]['local']


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--controller', required=True)
    p.add_argument('--upstream', required=True)
    p.add_argument('--secret-file', required=True)
    p.add_argument('--interface', required=True)
    p.add_argument('--label', required=True)
    p.add_argument('--proxy-protocol', action='store_true')
    p.add_argument('--vip')
    args = p.parse_args()
    host, port = args.controller.rsplit(':', 1)
    hello = json.dumps({'address': interface_address(args.interface),
                        'label': args.label}) + '\n'
    while True:
        try:
            with socket.create_connection((host, int(port)), 2) as conn:
                conn.settimeout(None)
                conn.sendall(hello.encode())
                print('connected to %s' % args.controller, flush=True)
                while conn.recv(4096):
                    pass
        except OSError:
            pass
        time.sleep(0.5)


if __name__ == '__main__':
    main()
