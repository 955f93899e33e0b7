package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"patrondesk/config"
	"patrondesk/templates"
)

const templatesUsage = `Usage:
  patrondesk templates list                  every template, who gets it, when, in which languages
  patrondesk templates preview NAME [--lang LANG]   the mail rendered with sample data
  patrondesk templates lint                  the plain-language check of every template`

func cmdTemplates(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr("templates needs a subcommand\n%s", templatesUsage)
	}
	switch args[0] {
	case "list":
		return templatesList(args[1:], stdout, stderr)
	case "preview":
		return templatesPreview(args[1:], stdout, stderr)
	case "lint":
		return templatesLint(args[1:], stdout, stderr)
	case "-h", "--help":
		fmt.Fprintln(stdout, templatesUsage)
		return nil
	}
	return usageErr("unknown templates subcommand %q\n%s", args[0], templatesUsage)
}

// templateSet is the built-in templates plus the library's folder, when a
// config is there to name it.
func templateSet(cfgPath string) *templates.Set {
	cfg, err := config.Load(configPath(cfgPath))
	if err != nil || cfg.Templates.Dir == "" {
		return templates.New("")
	}
	return templates.New(cfg.Rel(cfg.Templates.Dir))
}

func templatesList(args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("templates list", "templates list", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	set := templateSet(*cfgPath)
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "TEMPLATE\tTO\tLANGUAGES\tWHEN")
	for _, info := range templates.Catalog {
		var langs []string
		for _, l := range set.Languages() {
			if set.Has(info.Name, l) {
				langs = append(langs, l)
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", info.Name, info.To, strings.Join(langs, ","), info.When)
	}
	return w.Flush()
}

func templatesPreview(args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("templates preview", "templates preview NAME [--lang LANG]", stderr)
	lang := fs.String("lang", "en", "the language to render")
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	name := first(pos)
	if name == "" {
		return usageErr("templates preview needs a template name; `patrondesk templates list` shows them")
	}
	set := templateSet(*cfgPath)
	m, err := set.Render(name, *lang, set.Sample(*lang))
	if err != nil {
		return usageErr("%v; `patrondesk templates list` shows the templates", err)
	}
	if !set.Has(name, *lang) {
		fmt.Fprintf(stdout, "(there is no %s/%s; this is the English one, which is what would be sent)\n\n", *lang, name)
	}
	fmt.Fprintf(stdout, "Subject: %s\n\n%s", m.Subject, m.Text)
	if m.HTML != "" {
		fmt.Fprintf(stdout, "\n----- HTML alternative -----\n%s", m.HTML)
	}
	return nil
}

func templatesLint(args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("templates lint", "templates lint", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	warnings, err := lintAll(templateSet(*cfgPath), stdout, true)
	if err != nil {
		return err
	}
	if warnings > 0 {
		fmt.Fprintf(stdout, "\n%d template(s) to look at. These are warnings: patrondesk still sends them.\n", warnings)
	}
	return nil
}

// lintAll lints every template and saved answer in every language and prints
// a table (when table is set) and each problem with the sentence to fix. It
// returns how many patron templates and saved answers miss the targets.
func lintAll(set *templates.Set, stdout io.Writer, table bool) (int, error) {
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	if table {
		fmt.Fprintln(w, "TEMPLATE\tLANG\tWORDS\tSENTENCES\tGRADE\tEASE\tRESULT")
	}
	var notes []string
	warnings := 0
	row := func(name, lang string, r templates.Report, forPatrons bool) {
		grade, result := "-", "ok"
		if r.Grade != 0 {
			grade = fmt.Sprintf("%.1f", r.Grade)
		}
		if !r.OK() {
			result = fmt.Sprintf("%d problem(s)", len(r.Problems))
			if forPatrons {
				warnings++
			}
			for _, p := range r.Problems {
				notes = append(notes, fmt.Sprintf("%s/%s: %s", lang, name, p))
			}
		}
		for _, h := range r.Hints {
			notes = append(notes, fmt.Sprintf("%s/%s (hint): %s", lang, name, h))
		}
		if table {
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%.0f\t%s\n", name, lang, r.Words, r.Sentences, grade, r.Ease, result)
		}
	}
	for _, lang := range set.Languages() {
		for _, info := range templates.Catalog {
			if !set.Has(info.Name, lang) {
				continue
			}
			r, err := set.Lint(info.Name, lang)
			if err != nil {
				return warnings, fmt.Errorf("template %s/%s: %w", lang, info.Name, err)
			}
			row(info.Name, lang, r, info.ForPatrons())
		}
	}
	answers, err := set.Answers()
	if err != nil {
		return warnings, err
	}
	for _, a := range answers {
		r, err := set.LintAnswer(a)
		if err != nil {
			return warnings, fmt.Errorf("saved answer %s/%s: %w", a.Lang, a.Name, err)
		}
		row("answers/"+a.Name, a.Lang, r, true)
	}
	w.Flush()
	if len(notes) > 0 {
		fmt.Fprintln(stdout)
		for _, n := range notes {
			fmt.Fprintln(stdout, "  "+n)
		}
	}
	return warnings, nil
}
