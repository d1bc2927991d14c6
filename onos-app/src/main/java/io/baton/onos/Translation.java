package io.baton.onos;

import java.util.Objects;
import java.util.function.Function;

/**
 * The outcome of translating an ONOS value into a Baton one: the value, or the reason it has no
 * Baton form (a criterion or instruction Baton never builds). A refusal is data, so that the
 * southbound can count and log it instead of letting an exception reach ONOS.
 */
public final class Translation<T> {
    private final T value;
    private final String refusal;

    private Translation(T value, String refusal) {
        this.value = value;
        this.refusal = refusal;
    }

    public static <T> Translation<T> of(T value) {
        return new Translation<>(Objects.requireNonNull(value), null);
    }

    public static <T> Translation<T> refused(String reason) {
        return new Translation<>(null, Objects.requireNonNull(reason));
    }

    public boolean isOk() {
        return refusal == null;
    }

    /** The value; only when {@link #isOk()}. */
    public T value() {
        if (refusal != null) {
            throw new IllegalStateException("refused: " + refusal);
        }
        return value;
    }

    /** Why there is no value; only when not {@link #isOk()}. */
    public String refusal() {
        if (refusal == null) {
            throw new IllegalStateException("not refused");
        }
        return refusal;
    }

    public <R> Translation<R> map(Function<T, R> f) {
        return refusal == null ? of(f.apply(value)) : refused(refusal);
    }

    @Override
    public String toString() {
        return refusal == null ? "ok(" + value + ")" : "refused(" + refusal + ")";
    }
}
