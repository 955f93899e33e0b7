package config

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// Marks UnmarshalTOML leaves in a Duration it could not read, so that one
// bad duration does not stop the decoding and hide every other problem.
const (
	durationBareNumber = time.Duration(math.MinInt64)
	durationUnreadable = time.Duration(math.MinInt64 + 1)
)

// badDurations adds a problem for each duration UnmarshalTOML marked, named
// by its key, and returns those keys.
func (c *Config) badDurations(probs *Problems) []string {
	var keys []string
	var walk func(v reflect.Value, key string)
	walk = func(v reflect.Value, key string) {
		switch v.Kind() {
		case reflect.Struct:
			if d, ok := v.Interface().(Duration); ok {
				switch d.Duration {
				case durationBareNumber:
					*probs = append(*probs, key+`: write a duration in quotes with a unit, such as "30s", "15m" or "72h" (a bare number would mean nanoseconds)`)
					keys = append(keys, key)
				case durationUnreadable:
					*probs = append(*probs, key+`: is not a duration; write it like "30s", "15m", "72h" or "30d"`)
					keys = append(keys, key)
				}
				return
			}
			t := v.Type()
			for i := range t.NumField() {
				f := t.Field(i)
				name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
				if !f.IsExported() || name == "-" {
					continue
				}
				if name == "" {
					name = f.Name
				}
				walk(v.Field(i), strings.TrimPrefix(key+"."+name, "."))
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", key, i+1))
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	return keys
}

// withoutKeys drops the problems about keys (or tables) already reported,
// so a bad duration or a table that could not be read is named once.
func withoutKeys(p Problems, keys []string) Problems {
	var out Problems
	for _, prob := range p {
		dup := false
		for _, k := range keys {
			if strings.HasPrefix(prob, k+":") || strings.HasPrefix(prob, k+" ") || strings.HasPrefix(prob, k+".") || strings.HasPrefix(prob, k+"[") {
				dup = true
			}
		}
		if !dup {
			out = append(out, prob)
		}
	}
	return out
}
