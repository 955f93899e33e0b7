package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// version and commit are set at build time with -ldflags "-X
// main.version=1.2.0 -X main.commit=abc1234"; otherwise they come from the
// build information Go records (the module version, vcs.revision).
var version, commit = "", ""

func cmdVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := flags("version", "version", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, versionLine())
	return nil
}

// versionLine is "patrondesk VERSION (commit C[, modified], built with GO)".
func versionLine() string {
	v, rev, modified, goVersion := version, commit, false, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = firstNonEmpty(rev, s.Value)
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if rev == "" {
		rev = "unknown"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += ", with changes not committed"
	}
	return fmt.Sprintf("patrondesk %s (commit %s, %s)", v, rev, goVersion)
}
