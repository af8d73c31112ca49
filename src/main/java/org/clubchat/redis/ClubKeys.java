package org.clubchat.redis;

/**
 * The Redis keys and channel of one club. The club id sits in a hash tag ({@code {id}}), so a club's keys
 * and its channel hash to one slot, and on a Redis Cluster every club script runs on the one shard that
 * holds the club. A node's own keys share a hash tag of their own; the list of nodes is a key apart, and
 * no script touches it.
 */
record ClubKeys(String clubId, String epoch, String seq, String log, String names, String conns, String sentKeys,
        String presenceVersion, String gone, String channel) {
    static final String PREFIX = "clubchat:";
    /** The channel every node subscribes to for operators' requests ({@code ClubStore.broadcast}). */
    static final String BROADCAST = PREFIX + "broadcast";

    static ClubKeys of(String clubId) {
        String base = PREFIX + "{" + clubId + "}:";
        return new ClubKeys(clubId, base + "epoch", base + "seq", base + "log", base + "names", base + "conns", base + "keys",
                base + "pv", base + "gone", base + "events");
    }

    /**
     * Where a chat's seq is kept once stored, so that its outcome can be asked after a lost answer and a
     * resend with the same key finds it.
     *
     * @param dedupe {@link ClubScripts#attemptId} or {@link ClubScripts#keyId}
     */
    String receipt(String dedupe) {
        return PREFIX + "{" + clubId + "}:sent:" + dedupe;
    }

    /** The club's index of one node's connections in it (field to name, as in {@link #conns}). */
    String nodeConns(String node) {
        return PREFIX + "{" + clubId + "}:node:" + node;
    }

    /** The club id of a club's epoch key, as a scan finds it. */
    static String clubOfEpochKey(String key) {
        return key.substring(key.indexOf('{') + 1, key.lastIndexOf('}'));
    }

    /** The club id of a club's channel, or null for another channel. */
    static String clubOfChannel(String channel) {
        int open = channel.indexOf('{');
        int close = channel.lastIndexOf('}');
        return channel.startsWith(PREFIX) && open >= 0 && close > open && channel.endsWith("}:events")
                ? channel.substring(open + 1, close) : null;
    }

    /** A node's heartbeat key. A node's keys share a hash tag, as a club's do: forget-node.lua touches them together. */
    static String nodeAlive(String node) {
        return PREFIX + "{node:" + node + "}:alive";
    }

    /** The index of the clubs a node has members in. */
    static String nodeClubs(String node) {
        return PREFIX + "{node:" + node + "}:clubs";
    }

    /** Set when the node's peers removed its members: the node, if it lives, finds it and puts them back. */
    static String nodeForgotten(String node) {
        return PREFIX + "{node:" + node + "}:forgotten";
    }

    static String nodes() {
        return PREFIX + "nodes";
    }
}
