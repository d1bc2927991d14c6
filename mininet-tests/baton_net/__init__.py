"""Baton's Mininet harness: the topology (topo.BatonTopo), nginx on the
servers (webserver), the controller's config (config), and baton_network(),
a context manager that runs it all and always cleans up (harness)."""

from .config import MODES, pool_for_path, pool_of_server
from .harness import BatonNetwork, Launchers, RestError, baton_network, wait_for
from .httpcheck import HttpResult
from .topo import VIP, BatonTopo, topos

__all__ = ['MODES', 'VIP', 'BatonNetwork', 'BatonTopo', 'HttpResult',
           'Launchers', 'RestError', 'baton_network', 'pool_for_path',
           'pool_of_server', 'topos', 'wait_for']
