package io.baton.controller.admin;

/** A change or query the operator asked for that cannot be done: the REST API maps the kind to a status. */
public final class AdminException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as HTTP users know it. */
    public enum Kind {
        /** The request is malformed or names an invalid value (400). */
        BAD_REQUEST(400),
        /** Something it names does not exist (404). */
        NOT_FOUND(404),
        /** It clashes with the current state, e.g. a duplicate or a pool still in use (409). */
        CONFLICT(409),
        /** The change could not be saved (500): nothing was applied. */
        NOT_SAVED(500);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;
    private final String field;

    public AdminException(Kind kind, String field, String reason) {
        super(reason);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() { return kind; }
    /** The offending field ("weight", "rules[2].pool"), or null. */
    public String field() { return field; }
    public String reason() { return getMessage(); }
}
