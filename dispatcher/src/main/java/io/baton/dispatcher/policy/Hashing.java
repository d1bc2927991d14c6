package io.baton.dispatcher.policy;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic 64-bit hashing: FNV-1a over UTF-8 bytes with a seed, finished with the
 * MurmurHash3 fmix64 avalanche step. Stable across JVMs and runs, unlike String.hashCode's
 * spread or a randomised hash, so every controller instance maps keys identically.
 */
final class Hashing {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hashing() {
    }

    static long hash(String s, long seed) {
        long h = FNV_OFFSET ^ mix(seed);
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            h ^= x & 0xFF;
            h *= FNV_PRIME;
        }
        return mix(h);
    }

    static long hash(long v, long seed) {
        return mix(v ^ mix(seed + 0x9E3779B97F4A7C15L));
    }

    /** MurmurHash3 fmix64. */
    static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
