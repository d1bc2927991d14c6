package io.baton.dispatcher.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A compiled regex searched with {@link java.util.regex.Matcher#find()}, with a pre-filter worked
 * out once from the pattern text: literal substrings every match contains, and for a pattern
 * anchored with a leading {@code ^}, the literal prefix every matching input starts with. An input
 * without them cannot match, so {@link #find} answers false without running the matcher (most
 * rule regexes fail on most requests, and a failed {@code String.startsWith} or {@code indexOf}
 * costs a few nanoseconds against a few hundred for a matcher). Immutable, thread-safe.
 *
 * <p>The analysis is conservative: it understands literals, escaped punctuation, {@code .},
 * character classes, predefined classes ({@code \d \w \s} ...), groups, quantifiers and anchors,
 * and takes literals only from the top level of a pattern without top-level alternation. On any
 * other construct (inline flags, lookaround, back references, {@code \Q}, {@code \p}, ...) it
 * gives up and {@link #find} is plain {@code Matcher.find()}. That every answer equals
 * {@code Matcher.find()}'s is a property test (RegexConditionPropertyTest).
 */
final class RegexCondition {
    private static final String[] NONE = new String[0];

    private final Pattern pattern;
    private final String anchoredPrefix;   // "" when the pattern is not ^-anchored with a literal
    private final String[] required;       // literals every match contains, longest first

    private RegexCondition(Pattern pattern, String anchoredPrefix, String[] required) {
        this.pattern = pattern;
        this.anchoredPrefix = anchoredPrefix;
        this.required = required;
    }

    /** @throws IllegalArgumentException naming {@code what} when the regex does not compile */
    static RegexCondition compile(String what, String regex) {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + " '" + regex + "' is not a valid regex: " + e.getDescription());
        }
        Analysis a = Analysis.of(regex);
        if (a == null) {
            return new RegexCondition(p, "", NONE);
        }
        return new RegexCondition(p, a.prefix, a.required.toArray(NONE));
    }

    String pattern() {
        return pattern.pattern();
    }

    /**
     * The literal text every matching input starts with ("" when none is known): a necessary
     * condition {@link RuleSet} can index like a path prefix.
     */
    String anchoredPrefix() {
        return anchoredPrefix;
    }

    /** Literal substrings every match contains (for tests and diagnostics). */
    List<String> requiredLiterals() {
        return List.of(required);
    }

    /** Exactly {@code pattern.matcher(s).find()}, skipping the matcher when a literal is missing. */
    boolean find(String s) {
        if (!s.startsWith(anchoredPrefix)) {
            return false;
        }
        for (String lit : required) {
            if (s.indexOf(lit) < 0) {
                return false;
            }
        }
        return pattern.matcher(s).find();
    }

    @Override
    public String toString() {
        return pattern.pattern();
    }

    /**
     * One left-to-right pass over the pattern text (java.util.regex syntax, no flags). A literal
     * character at depth 0 joins the current run of required text unless a quantifier follows it;
     * any other atom, a quantifier or an anchor ends the run. A run that starts right after a
     * leading {@code ^} is also the anchored prefix ({@code ^} without MULTILINE matches only at
     * the start of input).
     */
    private static final class Analysis {
        private final String re;
        private int i;
        private int depth;
        private final StringBuilder run = new StringBuilder();
        private final List<String> required = new ArrayList<>();
        private String prefix = "";
        private boolean prefixOpen;

        private Analysis(String re) {
            this.re = re;
        }

        /** @return null when the pattern uses a construct this analysis does not model */
        static Analysis of(String re) {
            Analysis a = new Analysis(re);
            return a.parse() ? a : null;
        }

        private boolean parse() {
            if (re.startsWith("^")) {
                i = 1;
                prefixOpen = true;
                if (i < re.length() && isQuantifierStart(re.charAt(i))) {
                    return false;
                }
            }
            while (i < re.length()) {
                int literal = atom();        // >= 0: a literal char; -1: another atom; -2: give up
                if (literal == -2) {
                    return false;
                }
                boolean quantified = i < re.length() && isQuantifierStart(re.charAt(i));
                if (quantified && !skipQuantifier()) {
                    return false;
                }
                if (depth > 0) {
                    continue;                // inside a group: nothing is required for sure
                }
                if (literal >= 0 && !quantified) {
                    run.append((char) literal);
                } else {
                    endRun();
                }
            }
            if (depth != 0) {
                return false;
            }
            endRun();
            required.sort((x, y) -> y.length() - x.length());
            return true;
        }

        private void endRun() {
            if (prefixOpen) {
                prefix = run.toString();
                prefixOpen = false;
            }
            if (run.length() > 0) {
                required.add(run.toString());
                run.setLength(0);
            }
        }

        /** Reads one atom at i; returns its char when it is a plain literal, -1 for others, -2 to give up. */
        private int atom() {
            char c = re.charAt(i++);
            switch (c) {
                case '\\':
                    return escape(false);
                case '[':
                    return charClass() ? -1 : -2;
                case '(':
                    // only plain and non-capturing groups; (?i), lookaround, named, atomic: give up
                    if (i < re.length() && re.charAt(i) == '?') {
                        if (i + 1 < re.length() && re.charAt(i + 1) == ':') {
                            i += 2;
                        } else {
                            return -2;
                        }
                    }
                    depth++;
                    return -1;
                case ')':
                    if (depth == 0) {
                        return -2;
                    }
                    depth--;
                    return -1;
                case '|':
                    // top-level alternation: no literal is required by every branch
                    return depth == 0 ? -2 : -1;
                case '.':
                case '$':
                    return -1;
                case '^':
                case ']':
                case '}':
                case '*':
                case '+':
                case '?':
                case '{':
                    return -2;                // misplaced or unusual: not worth modelling
                default:
                    // non-ASCII (surrogate pairs among them) stays opaque: an atom, not a literal
                    return c < 0x80 ? c : -1;
            }
        }

        /** After a backslash: escaped punctuation is a literal; \d \w \s and kin are classes. */
        private int escape(boolean inClass) {
            if (i >= re.length()) {
                return -2;
            }
            char c = re.charAt(i++);
            if (c >= 0x80) {
                return -2;
            }
            if (!Character.isLetterOrDigit(c)) {
                return c;
            }
            switch (c) {
                case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
                case 'h': case 'H': case 'v': case 'V':
                case 't': case 'n': case 'r': case 'f': case 'a': case 'e':
                    return -1;
                default:
                    return -2;               // Q p x u c 0-9 k b A z G R X and the like after a backslash
            }
        }

        /** A simple bracket class: no nesting, no intersection, no leading ']'. */
        private boolean charClass() {
            if (i < re.length() && re.charAt(i) == '^') {
                i++;
            }
            if (i < re.length() && re.charAt(i) == ']') {
                return false;
            }
            while (i < re.length()) {
                char c = re.charAt(i++);
                if (c == ']') {
                    return true;
                }
                if (c == '[' || (c == '&' && i < re.length() && re.charAt(i) == '&')) {
                    return false;
                }
                if (c == '\\' && escape(true) == -2) {
                    return false;
                }
            }
            return false;
        }

        private static boolean isQuantifierStart(char c) {
            return c == '*' || c == '+' || c == '?' || c == '{';
        }

        /** Skips *, +, ?, {n}, {n,}, {n,m}, each optionally lazy (?) or possessive (+). */
        private boolean skipQuantifier() {
            char c = re.charAt(i++);
            if (c == '{') {
                int close = re.indexOf('}', i);
                if (close < 0) {
                    return false;
                }
                for (int k = i; k < close; k++) {
                    char d = re.charAt(k);
                    if (!(d >= '0' && d <= '9') && d != ',') {
                        return false;
                    }
                }
                i = close + 1;
            }
            if (i < re.length() && (re.charAt(i) == '?' || re.charAt(i) == '+')) {
                i++;
            }
            // a quantified quantifier ("a**") is a syntax error; "a{2}{3}" is legal but unusual
            return !(i < re.length() && isQuantifierStart(re.charAt(i)));
        }
    }
}
