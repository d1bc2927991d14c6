package io.baton.dispatcher.rules;

/**
 * A host or SNI pattern: an exact name, or "*.suffix" matching any name that ends in ".suffix"
 * with at least one more label (like nginx's server_name "*.example.com", which does not match
 * "example.com" itself). Names compare lower-case.
 */
final class NamePattern {
    private final String exact;    // null for a wildcard
    private final String suffix;   // ".example.com" for "*.example.com"

    private NamePattern(String exact, String suffix) {
        this.exact = exact;
        this.suffix = suffix;
    }

    static NamePattern parse(String what, String pattern) {
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException(what + " pattern must not be empty");
        }
        String p = lower(pattern);
        if (p.startsWith("*.")) {
            String rest = p.substring(1);
            if (rest.length() < 2 || rest.indexOf('*') >= 0) {
                throw new IllegalArgumentException(what + " pattern '" + pattern + "': only a leading '*.' is allowed");
            }
            return new NamePattern(null, rest);
        }
        if (p.indexOf('*') >= 0) {
            throw new IllegalArgumentException(what + " pattern '" + pattern + "': only a leading '*.' is allowed");
        }
        return new NamePattern(p, null);
    }

    boolean isExact() { return exact != null; }

    String exact() { return exact; }

    /** ".example.com" for "*.example.com". */
    String suffix() { return suffix; }

    boolean matches(String name) {
        if (exact != null) {
            return exact.equals(name);
        }
        return name.length() > suffix.length() && name.endsWith(suffix);
    }

    @Override
    public String toString() {
        return exact != null ? exact : "*" + suffix;
    }

    static String lower(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, (char) (c + 32));
            }
        }
        return sb == null ? s : sb.toString();
    }
}
