"""Content-aware policies through the controller, in nat and in dsr mode.

The service gets two more pools on h1 and h2 (config overrides):
  /hash/...  -> pool `hashed`, consistent hashing (Maglev) on the path
  /session/  -> pool `sessions`, session affinity on the JSESSIONID cookie,
                h1 and h2 tagged jvmRoute=h1 / h2, round robin without it

Test plan, per mode:
  1. every request for one path under /hash/ is answered by one server, from
     either client, over new connections; different paths use both servers
  2. without the cookie, /session/ requests use both servers; a cookie with a
     route suffix (abc.h2) always reaches that server; a cookie without one
     sticks to the server that took its first request
"""

import collections
import uuid

import pytest

from baton_net import MODES, baton_network

H1, H2 = '10.0.0.11', '10.0.0.12'
OVERRIDES = {'services': [{
    'name': 'web', 'vip': '10.0.0.100', 'port': 80,
    'pools': [
        {'name': 'static', 'policy': 'round-robin', 'servers': [H1, H2]},
        {'name': 'api', 'policy': 'round-robin', 'servers': ['10.0.0.13']},
        {'name': 'hashed', 'policy': 'consistent-hash',
         'params': {'key': 'path'}, 'servers': [H1, H2]},
        {'name': 'sessions', 'policy': 'session-affinity',
         'params': {'cookie': 'JSESSIONID', 'routeTag': 'jvmRoute'},
         'servers': [{'address': H1, 'tags': {'jvmRoute': 'h1'}},
                     {'address': H2, 'tags': {'jvmRoute': 'h2'}}]},
    ],
    'rules': [{'pathPrefix': '/api/', 'pool': 'api'},
              {'pathPrefix': '/hash/', 'pool': 'hashed'},
              {'pathPrefix': '/session/', 'pool': 'sessions'}],
    'defaultPool': 'static',
}]}


@pytest.fixture(scope='module', params=MODES)
def bn(request, baton_launchers, shared_files):
    overrides = {'services': [dict(OVERRIDES['services'][0],
                                   mode=request.param)]}
    with baton_network(request.param, launchers=baton_launchers,
                       files_dir=shared_files,
                       config_overrides=overrides) as network:
        yield network


def answered(results):
    bad = [r.describe() for r in results if r.status != 200]
    assert not bad, '%d failed:\n%s' % (len(bad), '\n'.join(bad))
    return results


def test_consistent_hashing_keeps_each_path_on_one_server(bn):
    paths = ['/hash/item-%d' % i for i in range(12)]
    seen = collections.defaultdict(set)
    for round_ in range(3):
        for client in bn.client_names:
            for path in paths:
                r = answered([bn.curl(client, path)])[0]
                seen[path].add(r.served_by)
    split = {p: s for p, s in seen.items() if len(s) != 1}
    assert not split, 'paths answered by more than one server: %s' % split
    used = set().union(*seen.values())
    # 12 paths on 2 servers all landing on one: probability 2^-11.
    assert used == {'h1', 'h2'}, 'hashing used only %s: %s' % (used,
                                                             dict(seen))


def test_session_cookie_keeps_the_client_on_its_server(bn):
    plain = answered([bn.curl(bn.client_names[i % 2], '/session/plain-%d' % i)
                      for i in range(6)])
    assert {r.served_by for r in plain} == {'h1', 'h2'}, \
        'without a cookie the fallback (round robin) uses both servers'

    routed = answered([bn.curl(bn.client_names[i % 2], '/session/r%d' % i,
                               headers=['Cookie: JSESSIONID=abc.h2'])
                       for i in range(8)])
    assert {r.served_by for r in routed} == {'h2'}, \
        [r.describe() for r in routed]

    session = uuid.uuid4().hex
    sticky = answered([bn.curl(bn.client_names[i % 2], '/session/s%d' % i,
                               headers=['Cookie: theme=dark; JSESSIONID=' +
                                        session])
                       for i in range(8)])
    assert len({r.served_by for r in sticky}) == 1, \
        [r.describe() for r in sticky]
