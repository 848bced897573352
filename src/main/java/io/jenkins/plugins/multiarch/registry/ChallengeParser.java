package io.jenkins.plugins.multiarch.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code WWW-Authenticate} values per RFC 7235 section 4.1: the scheme in any case, parameters in
 * any order with optional spaces around {@code =}, values as tokens or quoted strings with backslash
 * escapes, a token68 instead of parameters, and several challenges in one value (comma separated) or
 * across several header lines. Lenient: a malformed part is skipped, the rest still parsed.
 */
final class ChallengeParser {

    private final String s;
    private int i;

    private ChallengeParser(String s) {
        this.s = s;
    }

    static List<AuthChallenge> parse(List<String> headerValues) {
        List<AuthChallenge> all = new ArrayList<>();
        for (String value : headerValues) {
            all.addAll(parse(value));
        }
        return all;
    }

    static List<AuthChallenge> parse(String headerValue) {
        return headerValue == null ? List.of() : new ChallengeParser(headerValue).challenges();
    }

    private List<AuthChallenge> challenges() {
        List<AuthChallenge> out = new ArrayList<>();
        String scheme = null;
        Map<String, String> params = null;
        int n = s.length();
        while (i < n) {
            skipWhitespaceAndCommas();
            if (i >= n) {
                break;
            }
            int start = i;
            readToken();
            if (i == start) {
                i++; // not a token character: skip it and resynchronise
                continue;
            }
            String token = s.substring(start, i);
            int afterToken = i;
            skipSpaces();
            if (scheme != null && i < n && s.charAt(i) == '=' && startsValue(i + 1)) {
                i++;
                skipSpaces();
                params.put(token.toLowerCase(Locale.ROOT), readValue());
                continue;
            }
            // A new challenge: the token is its scheme.
            if (scheme != null) {
                out.add(new AuthChallenge(scheme, params));
            }
            scheme = token.toLowerCase(Locale.ROOT);
            params = new LinkedHashMap<>();
            i = afterToken;
            skipSpaces();
            String token68 = token68();
            if (token68 != null) {
                params.put("token68", token68);
            }
        }
        if (scheme != null) {
            out.add(new AuthChallenge(scheme, params));
        }
        return out;
    }

    /** True when position p (after optional spaces) begins a parameter value rather than token68 padding. */
    private boolean startsValue(int p) {
        while (p < s.length() && isSpace(s.charAt(p))) {
            p++;
        }
        if (p >= s.length()) {
            return true; // "name=" at the end: an empty value
        }
        char c = s.charAt(p);
        return c == '"' || isTokenChar(c) || c == ',';
    }

    private String readValue() {
        int n = s.length();
        if (i < n && s.charAt(i) == '"') {
            i++;
            StringBuilder value = new StringBuilder();
            while (i < n) {
                char c = s.charAt(i++);
                if (c == '\\' && i < n) {
                    value.append(s.charAt(i++));
                } else if (c == '"') {
                    return value.toString();
                } else {
                    value.append(c);
                }
            }
            return value.toString(); // unterminated: take the rest
        }
        int start = i;
        readToken();
        return s.substring(start, i);
    }

    /** A token68 right after the scheme ({@code Negotiate abc==}), or null when parameters follow instead. */
    private String token68() {
        int n = s.length();
        int p = i;
        while (p < n && isToken68Char(s.charAt(p))) {
            p++;
        }
        if (p == i) {
            return null;
        }
        while (p < n && s.charAt(p) == '=') {
            p++;
        }
        int valueEnd = p;
        while (p < n && isSpace(s.charAt(p))) {
            p++;
        }
        if (p < n && s.charAt(p) != ',') {
            return null; // "name=value" or "name value": parameters, not token68
        }
        String value = s.substring(i, valueEnd);
        i = p;
        return value;
    }

    private void readToken() {
        while (i < s.length() && isTokenChar(s.charAt(i))) {
            i++;
        }
    }

    private void skipSpaces() {
        while (i < s.length() && isSpace(s.charAt(i))) {
            i++;
        }
    }

    private void skipWhitespaceAndCommas() {
        while (i < s.length() && (isSpace(s.charAt(i)) || s.charAt(i) == ',')) {
            i++;
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    // RFC 7230 tchar
    private static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static boolean isToken68Char(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~+/".indexOf(c) >= 0;
    }
}
