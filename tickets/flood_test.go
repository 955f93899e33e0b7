package tickets

import (
	"strings"
	"testing"
)

func TestAlike(t *testing.T) {
	base := "Hello there, I would like to renew the books I borrowed last week because I have not finished reading them yet, thank you very much"
	for _, c := range []struct {
		name string
		a, b string
		want bool
	}{
		{"the same text", base, base, true},
		{"another signature line and a number", base, base + "\n4821", true},
		{"the same words in another case and punctuation", base, strings.ToUpper(strings.ReplaceAll(base, ",", " ;")), true},
		{"one word changed in twenty-five", base, strings.Replace(base, "renew", "return", 1), true},
		{"half the text changed", base, "Hello there, I would like to renew the books I borrowed last week; my card was lost at the station and the fine is wrong", false},
		{"a longer text holding this one", base, base + " " + base + " and also the DVDs and the magazines and the audiobooks", false},
		{"short texts must match word for word", "Can I renew?", "Can I renew", true},
		{"short texts that differ", "Can I renew?", "Can I return?", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := alike(newFloodText(c.a), newFloodText(c.b)); got != c.want {
				t.Errorf("alike = %v, want %v", got, c.want)
			}
		})
	}
}

// TestFloodMemoKeepsTheLatestScan: the memo grows to about three scans at
// most, then keeps what the latest scan holds.
func TestFloodMemoKeepsTheLatestScan(t *testing.T) {
	var m floodMemo
	var scan []floodKey
	for i := int64(0); i < 4*maxFloodScan; i++ {
		k := floodKey{id: i, at: i, sender: "a@example.org"}
		scan = append(scan, k)
		if len(scan) > maxFloodScan {
			scan = scan[1:]
		}
		m.put(k, newFloodText("words"), scan)
	}
	if n := len(m.texts); n > 3*maxFloodScan+1 {
		t.Errorf("the memo holds %d texts", n)
	}
	if _, ok := m.get(scan[0]); !ok {
		t.Error("the latest scan's oldest message was forgotten")
	}
	if _, ok := m.get(floodKey{id: 0, at: 0, sender: "a@example.org"}); ok {
		t.Error("a message long out of the window is still kept")
	}
}
