package io.baton.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Live heap bytes of a JVM after a full GC, and per class, from {@code jcmd PID GC.class_histogram}. */
record HeapSample(long usedBytes, Map<String, long[]> byClass) {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

    /** Runs jcmd, which forces a full GC first (a histogram of live objects only). */
    static HeapSample histogram(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + pid + " GC.class_histogram failed: " + text.strip());
        }
        return parse(text);
    }

    static HeapSample parse(String text) throws IOException {
        Map<String, long[]> classes = new LinkedHashMap<>();
        long total = -1;
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                classes.merge(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))},
                        (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
                continue;
            }
            Matcher t = TOTAL.matcher(line.strip());
            if (t.matches()) {
                total = Long.parseLong(t.group(2));
            }
        }
        if (total < 0) {
            throw new IOException("no Total line in the class histogram: " + text.lines().limit(5).toList());
        }
        return new HeapSample(total, classes);
    }

    /** The classes whose live bytes grew most from {@code before} to this sample: name, instances, bytes. */
    List<Object[]> topGrowth(HeapSample before, int n) {
        List<Object[]> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : byClass.entrySet()) {
            long[] was = before.byClass.getOrDefault(e.getKey(), new long[2]);
            rows.add(new Object[] {e.getKey(), e.getValue()[0] - was[0], e.getValue()[1] - was[1]});
        }
        rows.sort((a, b) -> Long.compare((long) b[2], (long) a[2]));
        return rows.subList(0, Math.min(n, rows.size()));
    }
}
