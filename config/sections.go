package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// decodeBySection decodes the file one top-level table at a time, after a
// whole-file decode stopped at a value of the wrong type: each table's
// problem is reported and the other tables are still read, so one mistake
// does not hide the rest. It returns the tables that failed.
func decodeBySection(src string, cfg *Config) (toml.MetaData, Problems, map[string]bool) {
	path := cfg.Path
	*cfg = *Default()
	cfg.Path = path
	var sections map[string]toml.Primitive
	md, err := toml.Decode(src, &sections)
	if err != nil {
		return md, Problems{fmt.Sprintf("%s: %v", path, err)}, nil
	}
	v := reflect.ValueOf(cfg).Elem()
	fields := map[string]reflect.Value{}
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("toml"), ",")
		if name != "" && name != "-" {
			fields[name] = v.Field(i)
		}
	}
	names := make([]string, 0, len(sections))
	for name := range sections {
		names = append(names, name)
	}
	sort.Strings(names)
	var probs Problems
	failed := map[string]bool{}
	for _, name := range names {
		f, ok := fields[name]
		if !ok {
			continue // an unknown table: reported with the unknown keys
		}
		if err := md.PrimitiveDecode(sections[name], f.Addr().Interface()); err != nil {
			probs = append(probs, fmt.Sprintf("%s [%s]: %v%s", path, name, err, typeHint(err)))
			failed[name] = true
		}
	}
	return md, probs, failed
}

// typeHint says, for a value of the wrong type, how to write the right one:
// "destination has type integer" means nothing to the person editing the
// file (port = "993" wants port = 993).
func typeHint(err error) string {
	_, dest, ok := strings.Cut(err.Error(), "destination has type ")
	if !ok {
		return ""
	}
	switch {
	case strings.HasPrefix(dest, "int"), strings.HasPrefix(dest, "uint"):
		return " (write a whole number without quotes, like 993)"
	case strings.HasPrefix(dest, "float"):
		return " (write a number without quotes, like 5.0)"
	case strings.HasPrefix(dest, "bool"):
		return " (write true or false, without quotes)"
	case strings.HasPrefix(dest, "string"):
		return ` (write it in quotes, like "text")`
	case strings.HasPrefix(dest, "slice"), strings.HasPrefix(dest, "[]"):
		return ` (write a list in brackets, like ["a", "b"])`
	}
	return ""
}
