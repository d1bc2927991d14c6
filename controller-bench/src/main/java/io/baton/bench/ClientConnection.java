package io.baton.bench;

/** One emulated client connection, from its SYN to its outcome. Its switch's event loop only. */
final class ClientConnection {
    /** Client index in the high 16 bits, client port in the low 16: unique within a switch. */
    final int slot;
    final int client;
    final int port;
    final int clientIsn;
    final long startNanos;
    /** When the SYN-ACK and the HandoffRequest came (System.nanoTime): the steps of a slow handoff. */
    long synAckNanos;
    long handoffRequestNanos;
    int serverIsn;
    boolean synAcked;
    /** The controller's latest TSval, echoed in the client's TSecr. */
    int tsEcr;
    /** Known once the controller asked an agent to take the connection; 0 before. */
    long handoffId;

    ClientConnection(int client, int port, int clientIsn, long startNanos) {
        this.slot = slot(client, port);
        this.client = client;
        this.port = port;
        this.clientIsn = clientIsn;
        this.startNanos = startNanos;
    }

    static int slot(int client, int port) {
        return (client << 16) | port;
    }
}
