package io.baton.controller.config;

/** A config that cannot be used; the message names the field path and the reason. */
public class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final String reason;

    public ConfigException(String path, String reason) {
        super(path + ": " + reason);
        this.path = path;
        this.reason = reason;
    }

    /** The reason alone, without the path. */
    public String reason() {
        return reason;
    }

    public String path() {
        return path;
    }
}
