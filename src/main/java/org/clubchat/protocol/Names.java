package org.clubchat.protocol;

import java.util.Comparator;

/** Display name rules, and the "characters are code points" rule that message limits share. */
public final class Names {
    public static final int MAX_LENGTH = 32;

    /** Code point order, which {@link String#compareTo} (UTF-16 order) is not above U+FFFF. */
    public static final Comparator<String> CODE_POINT_ORDER = Names::compareCodePoints;

    private Names() {
    }

    /** 1–32 code points, none of them a control character or half of a surrogate pair. */
    public static boolean isValid(String name) {
        int count = name.codePointCount(0, name.length());
        if (count == 0 || count > MAX_LENGTH) {
            return false;
        }
        return isWellFormed(name) && name.codePoints().noneMatch(cp -> Character.getType(cp) == Character.CONTROL);
    }

    /**
     * Whether the text is Unicode: JSON's {@code \ud800} escapes can make a string with an unpaired
     * surrogate, which has no UTF-8 form and would reach other members as {@code ?}.
     */
    public static boolean isWellFormed(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    public static int codePointLength(String text) {
        return text.codePointCount(0, text.length());
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }
}
