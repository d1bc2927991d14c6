package io.baton.controller.config;

/** A config that cannot be used; the message names the field path and the reason. */
public class ConfigException extends Exception {
    private final String path;

    public ConfigException(String path, String reason) {
        super(path + ": " + reason);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
