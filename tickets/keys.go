package tickets

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"patrondesk/mailer"
)

// Signing-key rotation: `patrondesk keys rotate` makes a new key and keeps
// the old one as the previous key, so the Message-IDs staff and patrons are
// replying to keep working for the token lifetime; after that the old key is
// no longer loaded.

// signer builds the desk's Signer: the current key, plus the previous one
// while the token lifetime since the rotation has not passed (lifetime 0:
// tokens never expire, so neither does the previous key).
func (s *Store) signer(ctx context.Context, key []byte, domain string, lifetime time.Duration, now time.Time) (*mailer.Signer, error) {
	sg := mailer.NewSigner(key, domain)
	var prev []byte
	var at []byte
	err := s.db.QueryRowContext(ctx, sqlPreviousSigningKey).Scan(&prev, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return sg, nil
	}
	if err != nil {
		return nil, fmt.Errorf("previous signing key: %w", err)
	}
	secs, err := strconv.ParseInt(string(at), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("previous signing key: bad rotation time %q", at)
	}
	rotated := time.Unix(secs, 0).UTC()
	if lifetime > 0 && now.Sub(rotated) > lifetime {
		return sg, nil
	}
	return sg.WithPrevious(prev, rotated), nil
}

// RotateSigningKey replaces the signing key at now; the old one becomes the
// previous key. A running daemon picks the new key up when it restarts.
func (s *Store) RotateSigningKey(ctx context.Context, now time.Time) error {
	if _, err := s.SigningKey(ctx); err != nil {
		return err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("new signing key: %w", err)
	}
	return s.tx(ctx, func(tx *Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO settings (key, value) SELECT 'signing_key_previous', value FROM settings WHERE key = 'signing_key'
				ON CONFLICT (key) DO UPDATE SET value = excluded.value`, nil},
			{`INSERT INTO settings (key, value) VALUES ('signing_key_rotated_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, []any{[]byte(strconv.FormatInt(now.Unix(), 10))}},
			{`UPDATE settings SET value = ? WHERE key = 'signing_key'`, []any{key}},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return fmt.Errorf("rotate signing key: %w", err)
			}
		}
		return nil
	})
}
