package store

import (
	"context"
	"fmt"
	"time"
)

// RuleSetting is how the console changed a rule: disabled it, or gave it
// another severity ("" keeps the rule's).
type RuleSetting struct {
	RuleID    string    `json:"rule_id"`
	Disabled  bool      `json:"disabled"`
	Severity  string    `json:"severity,omitempty"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// RuleException keeps events that match its pattern (an event pattern,
// as JSON) from firing a rule.
type RuleException struct {
	ID        string    `json:"id"`
	RuleID    string    `json:"rule_id"`
	Pattern   string    `json:"pattern"`
	Comment   string    `json:"comment"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// RuleUpload is a rule file uploaded in the console: rules or overrides,
// in the format of rule files.
type RuleUpload struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Content    []byte    `json:"-"`
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// bumpRules records that the rules changed, in the transaction that
// changed them.
func bumpRules(ctx context.Context, tx runner) error {
	_, err := tx.exec(ctx, `UPDATE rules_version SET version = version + 1 WHERE id = 1`)
	return err
}

// RulesVersion returns a number that grows with every change of the
// rules made in the console.
func (db *DB) RulesVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := db.reader().queryRow(ctx, `SELECT version FROM rules_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: rules version: %w", err)
	}
	return v, nil
}

// SetRule records how a rule is changed; a setting that changes nothing
// (enabled, the rule's own severity) removes the rule's.
func (db *DB) SetRule(ctx context.Context, s RuleSetting) error {
	err := db.write(ctx, func(tx runner) error {
		if _, err := tx.exec(ctx, `DELETE FROM rule_settings WHERE rule_id = $1`, s.RuleID); err != nil {
			return err
		}
		if s.Disabled || s.Severity != "" {
			_, err := tx.exec(ctx, `INSERT INTO rule_settings (rule_id, disabled, severity, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)`,
				cleanText(s.RuleID), boolInt(s.Disabled), s.Severity, cleanText(s.UpdatedBy), encodeTime(s.UpdatedAt))
			if err != nil {
				return err
			}
		}
		return bumpRules(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: set rule %s: %w", s.RuleID, err)
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// RuleSettings returns every rule's setting.
func (db *DB) RuleSettings(ctx context.Context) ([]RuleSetting, error) {
	rows, err := db.reader().query(ctx, `SELECT rule_id, disabled, severity, updated_by, updated_at FROM rule_settings ORDER BY rule_id`)
	if err != nil {
		return nil, fmt.Errorf("store: rule settings: %w", err)
	}
	defer rows.Close()
	var out []RuleSetting
	for rows.Next() {
		var (
			s        RuleSetting
			disabled int64
			at       int64
		)
		if err := rows.Scan(&s.RuleID, &disabled, &s.Severity, &s.UpdatedBy, &at); err != nil {
			return nil, fmt.Errorf("store: rule settings: %w", err)
		}
		s.Disabled, s.UpdatedAt = disabled != 0, decodeTime(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

// AddRuleException stores an exception and returns it with its id. The
// caller checks its pattern.
func (db *DB) AddRuleException(ctx context.Context, e RuleException) (*RuleException, error) {
	e.ID = newULID(e.CreatedAt)
	err := db.write(ctx, func(tx runner) error {
		_, err := tx.exec(ctx, `INSERT INTO rule_exceptions (id, rule_id, pattern, comment, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			e.ID, cleanText(e.RuleID), cleanText(e.Pattern), cleanText(e.Comment), cleanText(e.CreatedBy), encodeTime(e.CreatedAt))
		if err != nil {
			return err
		}
		return bumpRules(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("store: add exception to rule %s: %w", e.RuleID, err)
	}
	return &e, nil
}

// DeleteRuleException deletes an exception. It returns ErrNotFound when
// there is no such exception.
func (db *DB) DeleteRuleException(ctx context.Context, id string) error {
	return db.deleteRuleThing(ctx, `DELETE FROM rule_exceptions WHERE id = $1`, "exception", id)
}

// deleteRuleThing deletes one row of a table of rule changes.
func (db *DB) deleteRuleThing(ctx context.Context, query, what, id string) error {
	err := db.write(ctx, func(tx runner) error {
		res, err := tx.exec(ctx, query, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return ErrNotFound
		}
		return bumpRules(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("store: delete rule %s %s: %w", what, id, err)
	}
	return nil
}

// RuleExceptions returns every exception, oldest first.
func (db *DB) RuleExceptions(ctx context.Context) ([]RuleException, error) {
	rows, err := db.reader().query(ctx, `SELECT id, rule_id, pattern, comment, created_by, created_at FROM rule_exceptions ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: rule exceptions: %w", err)
	}
	defer rows.Close()
	var out []RuleException
	for rows.Next() {
		var (
			e  RuleException
			at int64
		)
		if err := rows.Scan(&e.ID, &e.RuleID, &e.Pattern, &e.Comment, &e.CreatedBy, &at); err != nil {
			return nil, fmt.Errorf("store: rule exceptions: %w", err)
		}
		e.CreatedAt = decodeTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddRuleUpload stores an uploaded rule file and returns it with its id.
// The caller checks its content.
func (db *DB) AddRuleUpload(ctx context.Context, u RuleUpload) (*RuleUpload, error) {
	u.ID = newULID(u.UploadedAt)
	err := db.write(ctx, func(tx runner) error {
		_, err := tx.exec(ctx, `INSERT INTO rule_uploads (id, name, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5)`,
			u.ID, cleanText(u.Name), u.Content, cleanText(u.UploadedBy), encodeTime(u.UploadedAt))
		if err != nil {
			return err
		}
		return bumpRules(ctx, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("store: upload rules %s: %w", u.Name, err)
	}
	return &u, nil
}

// DeleteRuleUpload deletes an uploaded rule file. It returns ErrNotFound
// when there is no such file.
func (db *DB) DeleteRuleUpload(ctx context.Context, id string) error {
	return db.deleteRuleThing(ctx, `DELETE FROM rule_uploads WHERE id = $1`, "upload", id)
}

// RuleUploads returns every uploaded rule file, oldest first.
func (db *DB) RuleUploads(ctx context.Context) ([]RuleUpload, error) {
	rows, err := db.reader().query(ctx, `SELECT id, name, content, uploaded_by, uploaded_at FROM rule_uploads ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: rule uploads: %w", err)
	}
	defer rows.Close()
	var out []RuleUpload
	for rows.Next() {
		var (
			u  RuleUpload
			at int64
		)
		if err := rows.Scan(&u.ID, &u.Name, &u.Content, &u.UploadedBy, &at); err != nil {
			return nil, fmt.Errorf("store: rule uploads: %w", err)
		}
		u.UploadedAt = decodeTime(at)
		out = append(out, u)
	}
	return out, rows.Err()
}
