package io.netpoll.sample.kv;

/** Redis's glob-style {@code stringmatchlen}: {@code * ? [abc] [^a] [a-z] \x}, optionally ignoring case. */
final class Glob {

    private Glob() {}

    static boolean matches(String pattern, String s, boolean nocase) {
        return match(pattern, 0, s, 0, nocase, 0);
    }

    private static boolean match(String p, int pi, String s, int si, boolean nocase, int depth) {
        if (depth > 1000) {
            return false; // pathological patterns: Redis bounds recursion too
        }
        while (pi < p.length()) {
            char c = p.charAt(pi);
            switch (c) {
                case '*' -> {
                    while (pi + 1 < p.length() && p.charAt(pi + 1) == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length()) {
                        return true;
                    }
                    for (int k = si; k <= s.length(); k++) {
                        if (match(p, pi + 1, s, k, nocase, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                }
                case '?' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    si++;
                }
                case '[' -> {
                    if (si >= s.length()) {
                        return false;
                    }
                    pi++;
                    boolean not = pi < p.length() && p.charAt(pi) == '^';
                    if (not) {
                        pi++;
                    }
                    boolean found = false;
                    char sc = s.charAt(si);
                    while (pi < p.length() && p.charAt(pi) != ']') {
                        char pc = p.charAt(pi);
                        if (pc == '\\' && pi + 1 < p.length()) {
                            pi++;
                            found |= same(p.charAt(pi), sc, nocase);
                        } else if (pi + 2 < p.length() && p.charAt(pi + 1) == '-' && p.charAt(pi + 2) != ']') {
                            char lo = p.charAt(pi);
                            char hi = p.charAt(pi + 2);
                            if (lo > hi) {
                                char t = lo;
                                lo = hi;
                                hi = t;
                            }
                            char x = sc;
                            if (nocase) {
                                lo = Character.toLowerCase(lo);
                                hi = Character.toLowerCase(hi);
                                x = Character.toLowerCase(x);
                            }
                            found |= x >= lo && x <= hi;
                            pi += 2;
                        } else {
                            found |= same(pc, sc, nocase);
                        }
                        pi++;
                    }
                    if (found == not) {
                        return false;
                    }
                    si++;
                }
                case '\\' -> {
                    if (pi + 1 < p.length()) {
                        pi++;
                    }
                    if (si >= s.length() || !same(p.charAt(pi), s.charAt(si), nocase)) {
                        return false;
                    }
                    si++;
                }
                default -> {
                    if (si >= s.length() || !same(c, s.charAt(si), nocase)) {
                        return false;
                    }
                    si++;
                }
            }
            pi++;
        }
        return si == s.length();
    }

    private static boolean same(char a, char b, boolean nocase) {
        return a == b || nocase && Character.toLowerCase(a) == Character.toLowerCase(b);
    }
}
