package io.baton.dispatcher.bench;

import io.baton.dispatcher.request.HeadResult;
import io.baton.dispatcher.request.HttpHeadDecoder;
import io.baton.dispatcher.request.HttpLimits;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Heads decoded per second: a typical ~450-byte browser request in one segment. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecoderBenchmark {
    private final byte[] request = ("GET /shop/cart/items?id=42&view=full HTTP/1.1\r\n"
            + "Host: www.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Connection: keep-alive\r\n"
            + "Cookie: JSESSIONID=8F3A2B19C0D4E5F6A7B8C9D0E1F2A3B4.node2; theme=dark\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "\r\n").getBytes(StandardCharsets.US_ASCII);

    @Benchmark
    public HeadResult decode() {
        return new HttpHeadDecoder(HttpLimits.defaults()).offer(request, 0, request.length);
    }
}
