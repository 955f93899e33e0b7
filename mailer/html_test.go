package mailer

import "testing"

func TestHTMLToText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"bold command stays a command", `<div><b>#note</b></div><div>She owes $40.</div>`, "#note\nShe owes $40."},
		{"no space before a comma from the source's line break", "<p class=MsoNormal><b><span>Ann</span></b>\n<span>,</span></p>", "Ann,"},
		{"no star artefacts", `<p>Hi <b>Ann</b>,</p><p>Renewed.</p>`, "Hi Ann,\n\nRenewed."},
		{"Outlook web bullets", `<div>Bring:</div><ul><li>your card</li><li>a photo ID</li></ul><div>Thanks</div>`, "Bring:\n- your card\n- a photo ID\n\nThanks"},
		{"numbered list", `<ol><li>one</li><li>two</li></ol>`, "1. one\n2. two"},
		{"link with its address", `<p>See <a href="https://lib.test/renew">the renewal page</a>.</p>`, "See the renewal page (https://lib.test/renew)."},
		{"link that is its address", `<a href="https://lib.test/">https://lib.test/</a>`, "https://lib.test/"},
		{"blockquote is quoted", `<div>Yes.</div><blockquote type="cite"><div>Question?</div></blockquote>`, "Yes.\n> Question?"},
		{"Gmail signature marked", `<div>Renewed.</div><div class="gmail_signature"><div>Alice Smith</div></div>`, "Renewed.\n--\nAlice Smith"},
		{"Outlook paragraphs are lines", `<p class=MsoNormal>Hi Ann,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Renewed.</p>`, "Hi Ann,\n\nRenewed."},
		{"Outlook desktop symbol bullets", `<p class=MsoListParagraph><span>·<span>&nbsp;&nbsp;&nbsp;</span></span>your card</p><p class=MsoNormal>x</p>`, "- your card\nx"},
		{"style and hidden text go", `<style>p{}</style><div style="display:none">preview</div><div>Shown</div>`, "Shown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := HTMLToText(tc.in); got != tc.want {
				t.Errorf("HTMLToText:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
