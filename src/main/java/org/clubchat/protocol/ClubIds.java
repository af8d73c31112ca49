package org.clubchat.protocol;

/** The club id rule: 1–64 characters of {@code A–Z a–z 0–9 _ - .}; ids are case-sensitive. */
public final class ClubIds {
    public static final int MAX_LENGTH = 64;
    /** What an {@code invalid_club} error says, wherever a club id is refused. */
    public static final String RULE = "clubId must be 1-64 characters of A-Z a-z 0-9 _ - .";

    private ClubIds() {
    }

    public static boolean isValid(String clubId) {
        int length = clubId.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = clubId.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || c == '.';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
