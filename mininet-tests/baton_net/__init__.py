"""Baton's Mininet harness: the topology (topo.BatonTopo), nginx on the
servers (webserver), the controller's config (config), baton_network(), a
context manager that runs it all and always cleans up (harness), and the
running network it yields (network.BatonNetwork)."""

from .config import MODES, pool_for_path, pool_of_server
from .harness import baton_network, restart_controller
from .hostexec import run_in, wait_for
from .network import BatonNetwork, Launchers, RestError
from .httpcheck import HttpResult
from .topo import VIP, BatonTopo, topos

__all__ = ['MODES', 'VIP', 'BatonNetwork', 'BatonTopo', 'HttpResult',
           'Launchers', 'RestError', 'baton_network', 'pool_for_path',
           'pool_of_server', 'run_in', 'topos', 'wait_for']
