package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// alertAdmin tells library.admin, at most once an hour, about mail that
// needs a person: outgoing mail the server refused and incoming mail that
// could not be read. Each problem is reported once.
func (r *work) alertAdmin(p *Planned) error {
	admin := r.d.opts.Admin
	if admin == "" {
		return nil
	}
	failedSeen, err := r.setting("alerted_failed")
	if err != nil {
		return err
	}
	quarSeen, err := r.setting("alerted_quarantine")
	if err != nil {
		return err
	}
	var failed, quar int
	var maxFailed, maxQuar int64
	var failedTo, failedWhy, quarWhy string
	err = r.tx.QueryRowContext(r.ctx, sqlFailedSince, failedSeen).Scan(&failed, &maxFailed, &failedTo, &failedWhy)
	if err != nil {
		return fmt.Errorf("count failed mail: %w", err)
	}
	err = r.tx.QueryRowContext(r.ctx, sqlQuarantinedSince, quarSeen).
		Scan(&quar, &maxQuar, &quarWhy)
	if err != nil {
		return fmt.Errorf("count quarantined mail: %w", err)
	}
	if failed == 0 && quar == 0 {
		return nil
	}
	hour := r.now.In(r.d.opts.Location).Format("2006-01-02T15")
	_, err = r.onceIf(true, "alert:"+hour, func() error {
		var problems []string
		if failed > 0 {
			problems = append(problems, fmt.Sprintf("%d email(s) to patrons or staff were refused by the mail server, for example to %s: %s", failed, failedTo, failedWhy))
		}
		if quar > 0 {
			problems = append(problems, fmt.Sprintf("%d incoming email(s) could not be read and are kept in quarantine, for example because %s. See them with \"patrondesk quarantine list\", then \"quarantine show ID\", \"export ID\", \"release ID\" or \"delete ID\"", quar, quarWhy))
		}
		data := r.templateData(&ticketRow{}, nil)
		data.Summary, data.Problems = fmt.Sprintf("%d problem(s)", len(problems)), problems
		if err := r.enqueue(outMail{template: "alert", toName: "", toEmail: admin, auto: "auto-generated", data: data}); err != nil {
			return err
		}
		p.add("alert to %s: %d problem(s)", admin, len(problems))
		if err := r.setSetting("alerted_failed", max(maxFailed, failedSeen)); err != nil {
			return err
		}
		return r.setSetting("alerted_quarantine", max(maxQuar, quarSeen))
	})
	return err
}

// setting reads a number kept in settings (0 when there is none). Values
// are bytes on both engines: numbers are kept as their decimal digits.
func (r *work) setting(key string) (int64, error) {
	var v []byte
	err := r.tx.QueryRowContext(r.ctx, sqlSetting, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, _ := strconv.ParseInt(string(v), 10, 64)
	return n, nil
}

func (r *work) setSetting(key string, v int64) error {
	_, err := r.tx.ExecContext(r.ctx, sqlSetSetting, key, []byte(strconv.FormatInt(v, 10)))
	return err
}

// Alert mails the admin now, outside the hourly alert above: the daemon's
// own health (a mailbox out of reach, mail that keeps failing) and its
// recovery. name is "alert" or "recovered".
func (d *Desk) Alert(ctx context.Context, name string, problems []string) error {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.opts.Admin == "" {
		return nil
	}
	err := d.store.tx(ctx, func(tx *Tx) error {
		r := d.workAt(ctx, tx, d.clock.Now())
		data := r.templateData(&ticketRow{}, nil)
		data.Summary, data.Problems = fmt.Sprintf("%d problem(s)", len(problems)), problems
		return r.enqueue(outMail{template: name, toEmail: d.opts.Admin, auto: "auto-generated", data: data})
	})
	if err != nil {
		return err
	}
	// Only once committed: a sender woken earlier finds nothing and sleeps.
	d.Queued()
	return nil
}

// Stuck counts mail that keeps failing to send (three tries or more) and
// since when.
func (s *Store) Stuck(ctx context.Context) (int, time.Time, error) {
	var n int
	var since sql.NullInt64
	err := s.db.QueryRowContext(ctx, sqlStuckMail).Scan(&n, &since)
	return n, timeOf(since), err
}
