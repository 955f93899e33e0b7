package config

import (
	"strings"
	"testing"
)

// TestWrongTypeSaysHowToWriteIt: a value of the wrong type names the key and
// line, as before, and says in plain words how to write it.
func TestWrongTypeSaysHowToWriteIt(t *testing.T) {
	for _, c := range []struct {
		name, from, to, want string
	}{
		{"port in quotes", "port = 1143", `port = "1143"`, `(last key "imap.port"): incompatible types: TOML value has type string; destination has type integer (write a whole number without quotes, like 993)`},
		{"yes for a switch", "require_authenticated = false", `require_authenticated = "no"`, "(write true or false, without quotes)"},
		{"one team, no brackets", `teams = ["reference"]`, `teams = "reference"`, `(write a list in brackets, like ["a", "b"])`},
		{"a name that is a number", `name = "Seymour Library"`, `name = 5`, `(write it in quotes, like "text")`},
		{"a score in words", "spam_score = 5.0", `spam_score = "high"`, "(write a number without quotes, like 5.0)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := string(Example)
			if !strings.Contains(src, c.from) {
				t.Fatalf("the example has no %q", c.from)
			}
			_, err := Load(writeConfig(t, strings.Replace(src, c.from, c.to, 1)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v; want %q", err, c.want)
			}
		})
	}
}

// TestStaffNotReadHidesNoRouteProblem: when [[staff]] cannot be read (one
// team written without brackets), the routes are not also reported as going
// to a team nobody is in: one mistake, one line.
func TestStaffNotReadHidesNoRouteProblem(t *testing.T) {
	src := strings.Replace(string(Example), `teams = ["reference"]`, `teams = "reference"`, 1)
	_, err := Load(writeConfig(t, src))
	if err == nil || !strings.Contains(err.Error(), "staff.teams") || strings.Contains(err.Error(), "route[") {
		t.Errorf("error %v; want the staff line and no route line", err)
	}
}
