package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Claims keep two daemons on one database from sending the same outbox row.
// A sender claims a batch of due rows for ClaimFor in one transaction (on
// PostgreSQL the rows are read FOR UPDATE SKIP LOCKED, so two daemons
// claiming at once take different rows; on SQLite the write lock taken at
// BEGIN serialises them), keeps the claim while it sends, and a dead
// daemon's claim simply expires. Daemons' clocks must agree (NTP) to well
// under the claim time.

// errClaimLost stops a batch whose claim another daemon took over (after
// this one was too slow to keep it); the rows are that daemon's now.
var errClaimLost = errors.New("another daemon took over part of this batch of mail")

// skipLocked is the clause that makes a claiming read skip rows another
// transaction is claiming: PostgreSQL only (SQLite's write lock already
// lets one transaction claim at a time).
func (s *Store) skipLocked() string {
	if s.db.engine == PostgreSQL {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// claim takes up to limit due rows for this sender and says until when it
// holds them. A row is due when it is queued, its time has come, and no
// other daemon holds a live claim on it. A row waits while an earlier mail
// to the same address is claimed by another daemon, so an acknowledgement
// is not overtaken by the answer that follows it.
func (s *Sender) claim(ctx context.Context, limit int) ([]int64, time.Time, error) {
	now := s.clock.Now()
	until := now.Add(s.ClaimFor)
	var ids []int64
	err := s.store.tx(ctx, func(tx *Tx) error {
		var err error
		ids, err = queryIDs(ctx, tx, sqlClaimable+s.store.skipLocked(), unix(now), unix(now), s.Name, s.Name, unix(now), limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		in, args := placeholders(ids)
		_, err = tx.ExecContext(ctx, sqlClaim(in),
			append([]any{s.Name, unix(until)}, args...)...)
		return err
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("claim mail to send: %w", err)
	}
	return ids, until, nil
}

// keepClaim renews the claim on rows (the rest of a batch) once a third of
// the claim time is left, and returns the new end. errClaimLost: some row
// is no longer this sender's to send.
func (s *Sender) keepClaim(ctx context.Context, rows []outRow, until time.Time) (time.Time, error) {
	now := s.clock.Now()
	if now.Before(until.Add(-s.ClaimFor / 3)) {
		return until, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	in, args := placeholders(ids)
	next := now.Add(s.ClaimFor)
	res, err := s.store.db.ExecContext(ctx, sqlKeepClaim(in),
		append([]any{unix(next), s.Name}, args...)...)
	if err != nil {
		return until, fmt.Errorf("keep the claim on mail to send: %w", err)
	}
	if n, _ := res.RowsAffected(); n < int64(len(ids)) {
		return until, errClaimLost
	}
	return next, nil
}

// releaseClaims gives back this sender's claims on rows it did not send
// (a batch stopped early), so another daemon need not wait them out.
func (s *Sender) releaseClaims(ctx context.Context) error {
	_, err := s.store.db.ExecContext(ctx, sqlGiveBackClaims, s.Name)
	if err != nil {
		return fmt.Errorf("give back claims on mail not sent: %w", err)
	}
	return nil
}

// freeDeadClaims gives back the claims of daemons on this machine whose
// process is gone (killed, crashed): a daemon restarted after a crash, or
// `run --once` after it, sends that mail at once instead of waiting the
// claims out. Claims of other machines' daemons expire as usual.
func (s *Sender) freeDeadClaims(ctx context.Context) error {
	host, _, ok := strings.Cut(s.Name, ":")
	if !ok {
		return nil
	}
	rows, err := s.store.db.QueryContext(ctx, sqlClaimantsLike,
		unix(s.clock.Now()), host+":%")
	if err != nil {
		return fmt.Errorf("read claims: %w", err)
	}
	var dead []string
	for rows.Next() {
		var by string
		if err := rows.Scan(&by); err != nil {
			rows.Close()
			return fmt.Errorf("read claims: %w", err)
		}
		if stoppedHere(by, s.Name) {
			dead = append(dead, by)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read claims: %w", err)
	}
	for _, by := range dead {
		if _, err := s.store.db.ExecContext(ctx, sqlGiveBackClaims, by); err != nil {
			return fmt.Errorf("free the claims of %s, which is gone: %w", by, err)
		}
		s.log.Info("sending the mail a stopped daemon had claimed", "daemon", by)
	}
	return nil
}
