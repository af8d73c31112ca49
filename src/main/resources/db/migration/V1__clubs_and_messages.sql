-- club-chat's durable history (docs/operations.md, "History in PostgreSQL").

-- Every club the store holds: the run its seqs belong to (the epoch), and the last seq committed, which
-- each append moves on by exactly its number of messages, so that seqs stay gapless and unique.
CREATE TABLE clubchat_club (
    club_id  text   PRIMARY KEY,
    epoch    text   NOT NULL,
    last_seq bigint NOT NULL CHECK (last_seq >= 0)
);

-- Every accepted message. sender is whose exactly-once keys it uses (the token's sub, or the name in
-- open mode; '' for the publish API); from_name is the name members see; ts is epoch milliseconds.
CREATE TABLE clubchat_message (
    club_id   text   NOT NULL REFERENCES clubchat_club (club_id) ON DELETE CASCADE,
    seq       bigint NOT NULL,
    ts        bigint NOT NULL,
    sender    text   NOT NULL,
    from_name text   NOT NULL,
    message   text   NOT NULL,
    send_key  text,
    PRIMARY KEY (club_id, seq)
);

-- A resend with a key already stored finds its seq.
CREATE UNIQUE INDEX clubchat_message_key ON clubchat_message (club_id, sender, send_key) WHERE send_key IS NOT NULL;

-- Retention deletes by age.
CREATE INDEX clubchat_message_ts ON clubchat_message (ts);
