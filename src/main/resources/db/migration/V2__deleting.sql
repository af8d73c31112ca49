-- Deleting and erasing (docs/protocol.md, "Deleting"; docs/operations.md, "Deleting and erasing").

-- A deleted message keeps its seq, so that seqs stay gapless, with neither name nor text. Its sender and
-- key stay for the protocol's 10 minutes, so that a resend is still a duplicate, and are then cleared.
ALTER TABLE clubchat_message ALTER COLUMN from_name DROP NOT NULL, ALTER COLUMN message DROP NOT NULL;

-- An erasure finds a person's messages by sender or by name, batch after batch in (club, seq) order: each
-- batch starts after the last one's, never walking again over what it already erased.
CREATE INDEX clubchat_message_sender ON clubchat_message (sender, club_id COLLATE "C", seq) WHERE message IS NOT NULL;
CREATE INDEX clubchat_message_from_name ON clubchat_message (from_name, club_id COLLATE "C", seq) WHERE message IS NOT NULL;

-- The deleted messages whose sender and key are still kept, to be cleared once their 10 minutes are over.
CREATE INDEX clubchat_message_deleted_keys ON clubchat_message (ts) WHERE message IS NULL AND sender <> '';
