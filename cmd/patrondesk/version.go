package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=1.2.0";
// otherwise the module's version from the build information is used.
var version = ""

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
	v, commit, modified, goVersion := version, "unknown", false, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if modified {
		commit += ", with changes not committed"
	}
	return fmt.Sprintf("patrondesk %s (commit %s, %s)", v, commit, goVersion)
}
