package org.clubchat.redis;

/**
 * The Redis keys and channel of one club. The club id sits in a hash tag ({@code {id}}) so that a Redis
 * Cluster would keep a club's keys in one slot, as the scripts need.
 */
record ClubKeys(String clubId, String epoch, String seq, String log, String names, String conns, String channel) {
    static final String PREFIX = "clubchat:";

    static ClubKeys of(String clubId) {
        String base = PREFIX + "{" + clubId + "}:";
        return new ClubKeys(clubId, base + "epoch", base + "seq", base + "log", base + "names", base + "conns", base + "events");
    }

    /** Where a chat attempt's seq is kept once stored, so that its outcome can be asked after a lost answer. */
    String receipt(String attempt) {
        return PREFIX + "{" + clubId + "}:sent:" + attempt;
    }

    /** The club id of a club's channel, or null for another channel. */
    static String clubOfChannel(String channel) {
        int open = channel.indexOf('{');
        int close = channel.lastIndexOf('}');
        return channel.startsWith(PREFIX) && open >= 0 && close > open && channel.endsWith("}:events")
                ? channel.substring(open + 1, close) : null;
    }

    static String nodeAlive(String node) {
        return PREFIX + "node:" + node;
    }

    static String nodeClubs(String node) {
        return PREFIX + "node:" + node + ":clubs";
    }

    static String nodes() {
        return PREFIX + "nodes";
    }
}
