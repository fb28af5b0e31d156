-- The audit trail, harder to change behind vigil's back (see package
-- audit and docs/console.md).
--
-- Seals are chained: seal n (1, 2, 3...) signs, besides the entry it
-- seals, the entry, hash and signature of seal n-1 (prev_seq, prev_hash,
-- prev_sig), so that a seal deleted or replaced breaks the series. Seals
-- made before have n = 0 and are not chained.
ALTER TABLE audit_seals ADD COLUMN n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_seals ADD COLUMN prev_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_seals ADD COLUMN prev_hash BYTEA NOT NULL DEFAULT '';
ALTER TABLE audit_seals ADD COLUMN prev_sig BYTEA NOT NULL DEFAULT '';
CREATE UNIQUE INDEX audit_seals_n ON audit_seals (n) WHERE n > 0;

-- Triggers refuse to change or delete entries and seals, and let the
-- head move only to the next entry, once appended. They are defence in
-- depth: the database's owner can drop them. The seals are the proof.

-- dialect: sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
WHEN NOT (NEW.id = OLD.id AND (NEW.seq = OLD.seq AND NEW.hash = OLD.hash
    OR NEW.seq = OLD.seq + 1 AND EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash)))
BEGIN SELECT RAISE(ABORT, 'the head of the audit trail moves only to the entry appended'); END;

-- dialect: postgres
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_seals_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_seals
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_head_append_only BEFORE DELETE OR TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = OLD.id AND (NEW.seq = OLD.seq AND NEW.hash = OLD.hash
        OR NEW.seq = OLD.seq + 1 AND EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the head of the audit trail moves only to the entry appended';
END
$$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
