package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Attachments limits the files patrondesk keeps and passes on, both ways.
type Attachments struct {
	// MaxSize is the largest file kept and sent: a patron's larger file is
	// named in the notice but not kept; a staff member's is refused.
	MaxSize Size `toml:"max_size"`
	// MailTotal is the most, all files together, that one email carries: a
	// notice to staff carries files up to it (the rest are named with the
	// command that writes them out); a staff answer over it is refused. The
	// default leaves room for base64, which adds a third, under the 10 MB
	// limit many mail servers have.
	MailTotal Size `toml:"mail_total"`
}

// Size is a number of bytes written with a unit: "500KB", "10MB", "1.5GB".
// KB, MB and GB are 1024, 1024² and 1024³ bytes.
type Size struct{ Bytes int64 }

// UnmarshalTOML accepts only strings with a unit, so `max_size = 10` (ten
// bytes? megabytes?) is an error that says how to write it.
func (s *Size) UnmarshalTOML(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("write a size in quotes with a unit, such as \"500KB\" or \"10MB\" (got %v)", v)
	}
	n, err := parseSize(str)
	if err != nil {
		return err
	}
	s.Bytes = n
	return nil
}

func parseSize(str string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(str))
	for _, u := range []struct {
		suffix string
		size   float64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if n, ok := strings.CutSuffix(t, u.suffix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
			if err != nil || v < 0 || v > 1<<40 {
				break
			}
			return int64(v * u.size), nil
		}
	}
	return 0, fmt.Errorf("%q is not a size; write it like \"500KB\", \"10MB\" or \"1GB\"", str)
}

// MarshalText writes the size back as the config file says it: "10MB".
func (s Size) MarshalText() ([]byte, error) {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if s.Bytes >= u.size && s.Bytes%u.size == 0 {
			return []byte(strconv.FormatInt(s.Bytes/u.size, 10) + u.suffix), nil
		}
	}
	return []byte(strconv.FormatInt(s.Bytes, 10) + "B"), nil
}
