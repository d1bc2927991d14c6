"""The controller's JSON configuration for a BatonTopo, and the pools the
tests expect.

The default service: VIP 10.0.0.100:80; paths under /api/ go to pool `api`
(the last server), everything else to pool `static` (the other servers).
"""

import copy

from .topo import (MGMT_CONTROLLER_IP, OPENFLOW_PORT, VIP, server_ip,
                   server_name)

HANDOFF_PORT = 7070
REST_PORT = 8181
MODES = ('nat', 'dsr')
SERVICE_NAME = 'web'
SERVICE_PORT = 80
API_PREFIX = '/api/'


def default_pools(servers):
    "{pool name: [server names]}: all but the last server serve static."
    names = [server_name(i) for i in range(1, servers + 1)]
    return {'static': names[:-1], 'api': names[-1:]}


def controller_config(mode, servers, secret_file, token_file):
    assert mode in MODES, 'mode must be one of %s, not %r' % (MODES, mode)
    pools = default_pools(servers)
    ip_of = {server_name(i): server_ip(i) for i in range(1, servers + 1)}
    return {
        'openflow': {'address': MGMT_CONTROLLER_IP, 'port': OPENFLOW_PORT},
        'handoff': {'address': MGMT_CONTROLLER_IP, 'port': HANDOFF_PORT,
                    'secretFile': secret_file},
        'rest': {'address': MGMT_CONTROLLER_IP, 'port': REST_PORT,
                 'tokenFile': token_file},
        'services': [{
            'name': SERVICE_NAME,
            'vip': VIP,
            'port': SERVICE_PORT,
            'mode': mode,
            'pools': [{'name': pool, 'policy': 'round-robin',
                       'servers': [ip_of[n] for n in members]}
                      for pool, members in pools.items()],
            'rules': [{'pathPrefix': API_PREFIX, 'pool': 'api'}],
            'defaultPool': 'static',
        }],
    }


def merged(base, overrides):
    """base with overrides applied: nested dicts merge, anything else
       (lists included) replaces.  Neither argument is changed."""
    result = copy.deepcopy(base)
    for key, value in (overrides or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def pool_of_server(config, address):
    "Name of the pool (of the first service) that holds a server address."
    for pool in config['services'][0]['pools']:
        if address in pool['servers']:
            return pool['name']
    return None


def pool_for_path(config, path):
    "The pool the first service's rules pick for a path (longest prefix)."
    service = config['services'][0]
    matches = [r for r in service['rules'] if path.startswith(r['pathPrefix'])]
    if not matches:
        return service['defaultPool']
    return max(matches, key=lambda r: len(r['pathPrefix']))['pool']
