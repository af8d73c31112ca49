package org.clubchat.protocol;

/** The protocol's error codes, each with its wire name (docs/protocol.md, "Error codes"). */
public enum ErrorCode {
    BAD_JSON("bad_json"),
    BAD_REQUEST("bad_request"),
    UNKNOWN_TYPE("unknown_type"),
    INVALID_CLUB("invalid_club"),
    NOT_MEMBER("not_member"),
    TOO_LONG("too_long"),
    RATE_LIMITED("rate_limited"),
    TOO_MANY_CLUBS("too_many_clubs"),
    FORBIDDEN("forbidden"),
    UNAVAILABLE("unavailable"),
    UNAUTHORIZED("unauthorized"),
    NOT_FOUND("not_found");

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
