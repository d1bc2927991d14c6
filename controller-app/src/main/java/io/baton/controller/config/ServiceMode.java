package io.baton.controller.config;

/**
 * How packets reach the server and return. NAT (L4/3): the switch rewrites the VIP to the
 * server's address and back. DSR (L4/2): the VIP is on each server's loopback, only the
 * destination MAC is rewritten and replies need no rewrite.
 */
public enum ServiceMode {
    NAT, DSR;

    public String configName() {
        return name().toLowerCase();
    }
}
