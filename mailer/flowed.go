package mailer

import "strings"

// DecodeFlowed undoes RFC 3676 format=flowed: a line that ends in a space
// continues on the next line of the same quote depth (with delsp=yes the
// space itself was added by the sender and goes too), a leading space that
// stuffed the line goes, and quote marks are written back as "> ". The
// signature mark "-- " stays a line of its own.
func DecodeFlowed(text string, delsp bool) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out []string
	var para strings.Builder
	paraDepth, open := 0, false
	end := func() {
		if open {
			out = append(out, strings.Repeat("> ", paraDepth)+strings.TrimRight(para.String(), " "))
			para.Reset()
			open = false
		}
	}
	for _, line := range strings.Split(text, "\n") {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		line = line[depth:]
		line = strings.TrimPrefix(line, " ") // space-stuffing
		if open && depth != paraDepth {
			end()
		}
		soft := strings.HasSuffix(line, " ") && line != "-- "
		if soft && delsp {
			line = line[:len(line)-1]
		}
		if !open {
			paraDepth, open = depth, true
		}
		para.WriteString(line)
		if !soft {
			end()
		}
	}
	end()
	return strings.Join(out, "\n")
}
