package io.baton.dispatcher.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The regex pre-filter may skip the matcher only when the matcher would fail: checked against
 * java.util.regex itself on generated patterns, plus what the analysis extracts from typical ones.
 */
class RegexConditionTest {
    /** Literal pieces, drawn more often so that most patterns have something to extract. */
    private static final String[] LITERALS = {"a", "b", "/", "1", "\\.", "\\/"};
    /** Other pieces, including ones the analysis must give up on and ones that do not compile. */
    private static final String[] TOKENS = {".", "\\d", "\\w", "[ab]", "[^a]",
        "[a-c/]", "[\\]a]", "(", ")", "(?:", "|", "*", "+", "?", "{1,2}", "{2}", "*?", "++", "^", "$", "(?i)",
        "(?=a)", "\\Q.\\E", "\\b", "\\1", "\\n", "[[a]b]", "é"};
    private static final char[] INPUT_CHARS = {'a', 'b', '/', '.', '1', 'A', '\n', 'é'};

    @Property(tries = 3000)
    void findEqualsTheMatchersAnswer(@ForAll("patterns") String regex, @ForAll("inputs") List<String> inputs) {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            Statistics.label("pattern").collect("does not compile");
            return;
        }
        RegexCondition c = RegexCondition.compile("test", regex);
        boolean filtered = !c.anchoredPrefix().isEmpty() || !c.requiredLiterals().isEmpty();
        Statistics.label("pattern").collect(filtered ? "has a pre-filter" : "no pre-filter");
        for (String s : inputs) {
            boolean expected = p.matcher(s).find();
            Assertions.assertEquals(expected, c.find(s),
                    () -> "'" + regex + "' on '" + s + "' (prefix '" + c.anchoredPrefix() + "', literals " + c.requiredLiterals() + ")");
            if (filtered) {
                Statistics.label("filtered input").collect(expected ? "matches" : "no match");
            }
        }
        Statistics.label("pattern").coverage(k -> k.check("has a pre-filter").percentage(x -> x > 25.0));
        Statistics.label("filtered input").coverage(k -> k.check("matches").percentage(x -> x > 2.0));
    }

    @Provide
    Arbitrary<String> patterns() {
        Arbitrary<String> piece = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(LITERALS)), Tuple.of(2, Arbitraries.of(TOKENS)));
        Arbitrary<String> anchor = Arbitraries.of("", "^");
        return Combinators.combine(anchor, piece.list().ofMaxSize(8))
                .as((a, l) -> a + String.join("", l));
    }

    @Provide
    Arbitrary<List<String>> inputs() {
        Arbitrary<String> s = Arbitraries.of(INPUT_CHARS).list().ofMaxSize(8).map(l -> {
            StringBuilder b = new StringBuilder();
            l.forEach(b::append);
            return b.toString();
        });
        return s.list().ofMinSize(1).ofMaxSize(20);
    }

    private static void assertFacts(String regex, String prefix, List<String> literals) {
        RegexCondition c = RegexCondition.compile("test", regex);
        assertEquals(prefix, c.anchoredPrefix(), regex + ": anchored prefix");
        assertEquals(literals, c.requiredLiterals(), regex + ": required literals");
    }

    @Test
    void extractsPrefixesAndLiteralsOfTypicalRuleRegexes() {
        assertFacts("^/s20/item/[0-9]+\\.php$", "/s20/item/", List.of("/s20/item/", ".php"));
        assertFacts("\\.(png|jpe?g)$", "", List.of("."));
        assertFacts("^/api/v[12]/users/", "/api/v", List.of("/users/", "/api/v"));
        assertFacts("/images/", "", List.of("/images/"));
        assertFacts("^/ab*c", "/a", List.of("/a", "c"), "a quantified char is optional");
        assertFacts("^/a(?:b|c)d", "/a", List.of("/a", "d"));
        assertFacts("^(/a)", "", List.of());
        assertFacts("^[/]x", "", List.of("x"));
    }

    private static void assertFacts(String regex, String prefix, List<String> literals, String why) {
        RegexCondition c = RegexCondition.compile("test", regex);
        assertEquals(prefix, c.anchoredPrefix(), regex + ": " + why);
        assertEquals(literals, c.requiredLiterals(), regex + ": " + why);
    }

    @Test
    void givesUpOnConstructsItDoesNotModel() {
        for (String re : new String[] {"^/a|/b", "(?i)^/admin", "^\\Q/a\\E", "^/a(?=b)", "^/(a)\\1", "^/a\\b",
            "^/\\p{Alpha}", "/[a[b]]", "/[a&&b]"}) {
            assertFacts(re, "", List.of(), "not modelled");
        }
    }

    @Test
    void anInvalidRegexIsAnIllegalArgumentNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RegexCondition.compile("pathRegex", "^/a("));
        Assertions.assertTrue(e.getMessage().startsWith("pathRegex '^/a(' is not a valid regex"), e.getMessage());
    }
}
