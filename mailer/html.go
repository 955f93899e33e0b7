package mailer

import (
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText turns an HTML mail body into the plain text a reader sees:
// no markup marks (bold is just the word, so "#note" in bold stays
// "#note"), lists as "- item" and "1. item", links as "text (address)"
// when the address is not the text, quoted mail (blockquote, Gmail, Apple
// and Yahoo quote containers) as "> " lines, and the signature blocks that
// clients mark (Gmail, Outlook, Thunderbird) under a "-- " line.
func HTMLToText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	w := &htmlWriter{msoParagraphs: strings.Contains(s, "MsoNormal")}
	w.walk(doc)
	w.flush()
	return tidyHTMLText(w.out.String())
}

// htmlWriter collects lines; quote is how deep in quoted mail the walk is.
type htmlWriter struct {
	out   strings.Builder
	line  strings.Builder
	quote int
	lists []htmlList
	pre   int
	// bulletOnly: the line holds a list bullet and nothing yet, so a block
	// inside the item (Outlook on the web wraps each in a div) does not
	// break it.
	bulletOnly bool
	// msoParagraphs: Outlook writes one <p> per line and empty <p> for
	// blank lines, so a paragraph there is a line, not a block.
	msoParagraphs bool
}

type htmlList struct {
	ordered bool
	n       int
}

// skipped elements hold no text a reader sees.
var skipped = map[atom.Atom]bool{atom.Head: true, atom.Style: true, atom.Script: true, atom.Title: true, atom.Template: true, atom.Noscript: true}

// blocks start and end a line.
var blocks = map[atom.Atom]bool{
	atom.Div: true, atom.P: true, atom.Table: true, atom.Tr: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Pre: true, atom.Address: true,
	atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true, atom.Center: true,
	atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Hr: true, atom.Tbody: true, atom.Form: true,
}

func (w *htmlWriter) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.CommentNode, html.DoctypeNode:
		return
	case html.ElementNode:
		w.element(n)
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func (w *htmlWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func (w *htmlWriter) element(n *html.Node) {
	a := n.DataAtom
	if skipped[a] || hiddenStyle(attr(n, "style")) {
		return
	}
	if signatureContainer(n) {
		w.breakLine()
		w.emit("-- ")
		w.children(n)
		w.breakLine()
		return
	}
	switch {
	case a == atom.Br:
		w.flush()
	case a == atom.Blockquote || quoteBlock(n):
		w.breakLine()
		w.quote++
		w.children(n)
		w.breakLine()
		w.quote--
	case a == atom.Ul || a == atom.Ol:
		w.breakLine()
		w.lists = append(w.lists, htmlList{ordered: a == atom.Ol})
		w.children(n)
		w.lists = w.lists[:len(w.lists)-1]
		w.breakLine()
		if len(w.lists) == 0 && !w.msoParagraphs {
			w.blank()
		}
	case a == atom.Li:
		w.breakLine()
		w.line.WriteString(w.bullet())
		w.bulletOnly = true
		w.children(n)
		w.bulletOnly = false
		w.breakLine()
	case a == atom.A:
		w.link(n)
	case a == atom.Td || a == atom.Th:
		if strings.TrimSpace(w.line.String()) != "" {
			w.line.WriteString(" ")
		}
		w.children(n)
	case a == atom.Pre:
		w.breakLine()
		w.pre++
		w.children(n)
		w.pre--
		w.breakLine()
	case a == atom.P && !w.msoParagraphs:
		w.breakLine()
		w.children(n)
		w.breakLine()
		w.blank()
	case blocks[a]:
		w.breakLine()
		w.children(n)
		w.breakLine()
	case a == atom.Img:
		// Images are attachments, not text.
	default:
		w.children(n)
	}
}

// link writes a link's text, with its address when a reader could not
// otherwise see where it goes.
func (w *htmlWriter) link(n *html.Node) {
	w.children(n)
	shown := strings.TrimSpace(nodeText(n))
	href := strings.TrimSpace(attr(n, "href"))
	target := strings.TrimPrefix(href, "mailto:")
	if !strings.HasPrefix(href, "http") && !strings.HasPrefix(href, "mailto:") {
		return
	}
	if shown == "" || strings.Contains(shown, target) || strings.Contains(target, shown) {
		if shown == "" {
			w.text(target)
		}
		return
	}
	w.line.WriteString(" (" + target + ")")
}

func (w *htmlWriter) bullet() string {
	if len(w.lists) == 0 {
		return "- "
	}
	l := &w.lists[len(w.lists)-1]
	// The indent of a nested item survives flush's trim as NULs; tidy
	// makes them spaces.
	indent := strings.Repeat("\x00\x00", len(w.lists)-1)
	if l.ordered {
		l.n++
		return indent + strconv.Itoa(l.n) + ". "
	}
	return indent + "- "
}

var spaces = regexp.MustCompile(`[ \t\r\n\f]+`)

func (w *htmlWriter) text(s string) {
	if w.pre > 0 {
		for i, part := range strings.Split(s, "\n") {
			if i > 0 {
				w.flush()
			}
			w.line.WriteString(part)
		}
		return
	}
	s = spaces.ReplaceAllString(s, " ")
	if strings.TrimSpace(s) != "" {
		w.bulletOnly = false
	}
	cur := w.line.String()
	if cur == "" || strings.HasSuffix(cur, " ") {
		s = strings.TrimLeft(s, " ")
	}
	// "<b>Ann</b>\n<span>,</span>": the line break in the source is not a
	// space before the comma.
	if t := strings.TrimLeft(s, " "); t != "" && strings.ContainsRune(",.;:!?)", rune(t[0])) && strings.HasSuffix(cur, " ") && len(cur) > 1 {
		trimmed := strings.TrimRight(cur, " ")
		w.line.Reset()
		w.line.WriteString(trimmed)
		s = t
	}
	w.line.WriteString(s)
}

// emit writes a whole line as it is.
func (w *htmlWriter) emit(s string) {
	w.line.WriteString(s)
	w.flush()
}

// breakLine ends the current line if it holds anything.
func (w *htmlWriter) breakLine() {
	if w.line.Len() > 0 && !w.bulletOnly {
		w.flush()
	}
}

func (w *htmlWriter) blank() {
	w.flush()
}

// flush ends the current line, quoted as deep as the walk is.
func (w *htmlWriter) flush() {
	l := strings.TrimRight(strings.ReplaceAll(w.line.String(), "\u00a0", " "), " ")
	if w.pre == 0 {
		l = strings.TrimLeft(l, " ")
	}
	w.line.Reset()
	w.out.WriteString(strings.Repeat("> ", w.quote))
	w.out.WriteString(l)
	w.out.WriteString("\n")
}

// nodeText is the text inside n, without markup.
func nodeText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(nodeText(c))
	}
	return spaces.ReplaceAllString(b.String(), " ")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hiddenStyle(style string) bool {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	return strings.Contains(s, "display:none") || strings.Contains(s, "mso-hide:all")
}

// quoteBlock is a container in which a client puts the quoted mail.
func quoteBlock(n *html.Node) bool {
	class := " " + strings.ToLower(attr(n, "class")) + " "
	return strings.Contains(class, " yahoo_quoted ") || strings.EqualFold(attr(n, "type"), "cite")
}

// signatureContainer is a container in which a client puts the signature.
func signatureContainer(n *html.Node) bool {
	class := " " + strings.ToLower(attr(n, "class")) + " "
	id := strings.ToLower(attr(n, "id"))
	return strings.Contains(class, " gmail_signature ") || strings.Contains(class, " moz-signature ") ||
		id == "signature" || id == "x_signature" || id == "ms-outlook-mobile-signature" ||
		strings.Contains(class, " applesignature ")
}

// msoBullet is how Outlook desktop writes a list item without a list:
// a symbol and non-breaking spaces before the text.
var msoBullet = regexp.MustCompile(`^(\s*)[·•◦▪§][\s\x{00a0}]+`)

// msoNumber is an Outlook numbered item without a list: "1." or "a)" and a
// run of spaces before the text.
var msoNumber = regexp.MustCompile(`^(\s*)(\d{1,2}[.)]|[a-z][.)])[\s\x{00a0}]{2,}`)

// tidyHTMLText turns Outlook's symbol bullets into "- ", and collapses runs
// of blank lines.
func tidyHTMLText(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	blankRun := 0
	for _, l := range lines {
		l = strings.ReplaceAll(l, "\x00", " ")
		l = msoBullet.ReplaceAllString(l, "$1- ")
		l = msoNumber.ReplaceAllString(strings.ReplaceAll(l, "\u00a0", " "), "$1$2 ")
		l = strings.TrimRight(strings.ReplaceAll(l, "\u00a0", " "), " ")
		if strings.Trim(l, "> ") == "" {
			blankRun++
			if blankRun > 1 {
				continue
			}
			l = strings.TrimRight(l, " ")
		} else {
			blankRun = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
