package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		name, in string
		want     int64
		bad      bool
	}{
		{"megabytes", "10MB", 10 << 20, false},
		{"kilobytes lower case with a space", "500 kb", 500 << 10, false},
		{"fraction", "1.5MB", 3 << 19, false},
		{"gigabytes", "1GB", 1 << 30, false},
		{"bytes", "2048B", 2048, false},
		{"no unit", "10", 0, true},
		{"negative", "-1MB", 0, true},
		{"words", "ten MB", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSize(tt.in)
			if (err != nil) != tt.bad || got != tt.want {
				t.Errorf("parseSize(%q) = %d, %v; want %d (error: %v)", tt.in, got, err, tt.want, tt.bad)
			}
		})
	}
}

func TestAttachmentsConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(extra string) string {
		p := filepath.Join(dir, "patrondesk.toml")
		if err := os.WriteFile(p, []byte(strings.Replace(string(Example), "[attachments]\n", "[attachments]\n"+extra, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg, err := Load(write(""))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Attachments.MaxSize.Bytes != 10<<20 || cfg.Attachments.MailTotal.Bytes != 7<<20 {
		t.Errorf("example attachments = %+v", cfg.Attachments)
	}
	_, err = Load(write("max_size_mb = 3\n"))
	if err == nil || !strings.Contains(err.Error(), "max_size_mb") {
		t.Errorf("a misspelt key: %v", err)
	}
	p := filepath.Join(dir, "bare.toml")
	src := strings.Replace(string(Example), `max_size = "10MB"`, `max_size = 10`, 1)
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), `"10MB"`) {
		t.Errorf("a bare number: %v", err)
	}
	src = strings.Replace(string(Example), `mail_total = "7MB"`, `mail_total = "0KB"`, 1)
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "attachments.mail_total: must be more than 0") {
		t.Errorf("no room for files: %v", err)
	}
}
