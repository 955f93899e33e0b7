package main

import (
	"context"
	"io"
	"net"
	"strings"

	"patrondesk/config"
	"patrondesk/tickets"
	"patrondesk/tickets/clock"
)

// cmdLink prints a sign-in link to the desk page for a supervisor or the
// admin: one line, so scripts can use it.
func cmdLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("link", "link EMAIL\n\nPrints a personal sign-in link to the desk page (/desk) for a supervisor or\nthe admin (library.admin). It works for http.link_lifetime; anyone who has it\ncan see the page until then, so send it only to that person.", stderr)
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("link needs one address, like: patrondesk link boss@library.test")
	}
	email := strings.ToLower(strings.TrimSpace(pos[0]))
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	base := deskURL(cfg)
	if base == "" {
		return usageErr("the desk page is off: set [http] listen (and public_url behind a reverse proxy) in the config")
	}
	if !mayViewDesk(cfg, email) {
		return usageErr("%s is not a supervisor (supervisor = true in [[staff]]) or library.admin; only they get links", email)
	}
	store, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	key, err := store.SigningKey(ctx)
	if err != nil {
		return err
	}
	link, _ := tickets.DeskLink(base, key, email, clock.System{}.Now(), cfg.HTTP.LinkLifetime.Duration)
	_, err = io.WriteString(stdout, link+"\n")
	return err
}

// deskURL is where people reach the desk page: http.public_url, else the
// listen address ("" when the listener is off).
func deskURL(cfg *config.Config) string {
	if cfg.HTTP.Listen == "" {
		return ""
	}
	if cfg.HTTP.PublicURL != "" {
		return strings.TrimRight(cfg.HTTP.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(cfg.HTTP.Listen)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost" // listening everywhere: this machine answers too
	}
	return "http://" + net.JoinHostPort(host, port)
}

// mayViewDesk is the config's word on who gets a link, the same rule as
// tickets.Desk.MayViewDesk.
func mayViewDesk(cfg *config.Config, email string) bool {
	if email == "" {
		return false
	}
	if strings.EqualFold(email, cfg.Library.Admin) {
		return true
	}
	for _, s := range cfg.Staff {
		if strings.EqualFold(s.Email, email) && s.Supervisor {
			return true
		}
	}
	return false
}
