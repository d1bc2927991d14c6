package io.baton.agent;

import io.baton.agent.relay.ProxyHeader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny HTTP-ish web server on 127.0.0.1: reads a request head (after an optional PROXY v2
 * header), answers 200 with body "upstream-ok " + request line + "\n" + N pseudo-random bytes,
 * "Connection: close", and closes.
 */
final class TinyUpstream implements AutoCloseable {

    final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    /** The same requests as they came, byte for byte (after any PROXY header). */
    final BlockingQueue<byte[]> rawRequests = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> proxyHeaders = new LinkedBlockingQueue<>();
    final AtomicInteger connections = new AtomicInteger();
    /** Connections that ended: served and closed, or closed by the other side before a whole request. */
    final AtomicInteger ended = new AtomicInteger();
    /** Body bytes handed to the kernel so far, over all connections: how far a reader let it get. */
    final AtomicLong bulkBytesWritten = new AtomicLong();
    private static final int WRITE_CHUNK = 64 * 1024;
    /** For each request served, the number (from 1, in accept order) of the connection it came on. */
    final BlockingQueue<Integer> servedOnConnection = new LinkedBlockingQueue<>();
    private final ServerSocket server;
    private final byte[] bulk;
    private final Thread acceptor;

    TinyUpstream(int bulkBytes) throws IOException {
        bulk = bulk(bulkBytes);
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(this::acceptLoop, "tiny-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static byte[] bulk(int n) {
        byte[] b = new byte[n];
        new Random(20240601L).nextBytes(b);
        return b;
    }

    /** The body this server sends for a request line. */
    static byte[] body(String requestLine, int bulkBytes) {
        byte[] head = ("upstream-ok " + requestLine + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] b = bulk(bulkBytes);
        byte[] all = Arrays.copyOf(head, head.length + b.length);
        System.arraycopy(b, 0, all, head.length, b.length);
        return all;
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int number = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, number), "tiny-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int number) {
        try (s) {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            boolean first = true;
            while ((c = in.read()) >= 0) {
                if (first && c == 0x0D) {
                    // maybe a PROXY v2 header
                    byte[] rest = in.readNBytes(ProxyHeader.TCP4_LENGTH - 1);
                    byte[] h = new byte[ProxyHeader.TCP4_LENGTH];
                    h[0] = 0x0D;
                    System.arraycopy(rest, 0, h, 1, rest.length);
                    if (Arrays.equals(Arrays.copyOf(h, 12), ProxyHeader.SIGNATURE)) {
                        proxyHeaders.add(h);
                    } else {
                        head.write(h, 0, 1 + rest.length);
                    }
                    first = false;
                    continue;
                }
                first = false;
                head.write(c);
                byte[] b = head.toByteArray();
                int n = b.length;
                if (n >= 4 && b[n - 4] == '\r' && b[n - 3] == '\n' && b[n - 2] == '\r' && b[n - 1] == '\n') {
                    break;
                }
            }
            String request = head.toString(StandardCharsets.US_ASCII);
            if (!request.endsWith("\r\n\r\n")) {
                return; // closed without a whole request (e.g. an aborted handoff)
            }
            requests.add(request);
            rawRequests.add(head.toByteArray());
            servedOnConnection.add(number);
            String line = request.substring(0, request.indexOf("\r\n"));
            byte[] head1 = ("upstream-ok " + line + "\n").getBytes(StandardCharsets.US_ASCII);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + (head1.length + bulk.length)
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(head1);
            for (int off = 0; off < bulk.length; off += WRITE_CHUNK) {
                int n = Math.min(WRITE_CHUNK, bulk.length - off);
                out.write(bulk, off, n);
                bulkBytesWritten.addAndGet(n);
            }
            out.flush();
        } catch (IOException e) {
            // the test notices what is missing
        } finally {
            ended.incrementAndGet();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
