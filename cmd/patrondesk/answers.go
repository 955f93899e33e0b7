package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"patrondesk/templates"
)

const answersUsage = `Usage:
  patrondesk answers list                        the saved answers staff send with #answer NAME
  patrondesk answers preview NAME [--lang LANG]  one saved answer as the patron would read it`

// cmdAnswers lists and shows the saved answers (answers/LANG/NAME.txt in the
// templates folder, else built in).
func cmdAnswers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErr("answers needs a subcommand\n%s", answersUsage)
	}
	switch args[0] {
	case "list":
		return answersList(args[1:], stdout, stderr)
	case "preview":
		return answersPreview(args[1:], stdout, stderr)
	case "-h", "--help":
		fmt.Fprintln(stdout, answersUsage)
		return nil
	}
	return usageErr("unknown answers subcommand %q\n%s", args[0], answersUsage)
}

func answersList(args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("answers list", "answers list", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	all, err := templateSet(*cfgPath).Answers()
	if err != nil {
		return err
	}
	type entry struct {
		title string
		langs []string
		words []string
	}
	var names []string
	byName := map[string]*entry{}
	for _, a := range all {
		e := byName[a.Name]
		if e == nil {
			e = &entry{title: a.Title, words: a.Words}
			byName[a.Name] = e
			names = append(names, a.Name)
		}
		if a.Lang == "en" {
			e.title, e.words = a.Title, a.Words
		}
		e.langs = append(e.langs, a.Lang)
	}
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tLANGUAGES\tTITLE\tSUGGESTED FOR")
	for _, n := range names {
		e := byName[n]
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", n, strings.Join(e.langs, ","), e.title, strings.Join(e.words, ", "))
	}
	w.Flush()
	fmt.Fprintln(stdout, "\nStaff send one by replying with #answer NAME. A library adds or changes one as answers/LANG/NAME.txt in its templates folder.")
	return nil
}

func answersPreview(args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := flags("answers preview", "answers preview NAME [--lang LANG]", stderr)
	lang := fs.String("lang", "en", "the patron's language")
	pos, err := parseAround(fs, args)
	if err != nil {
		return err
	}
	if first(pos) == "" {
		return usageErr("answers preview needs a name; `patrondesk answers list` shows them")
	}
	a, err := templateSet(*cfgPath).Answer(first(pos), *lang, "en")
	if errors.Is(err, templates.ErrNoAnswer) {
		return usageErr("there is no saved answer %q; `patrondesk answers list` shows them", first(pos))
	}
	if err != nil {
		return err
	}
	if a.Lang != *lang {
		fmt.Fprintf(stdout, "(there is no %s/%s; this is the %s one, which is what the patron would get)\n\n", *lang, a.Name, a.Lang)
	}
	fmt.Fprintf(stdout, "%s\n\n%s\n", a.Title, a.Text)
	return nil
}
