package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	keys, _ := filterKeys([]string{"shop/web-1", "shop/web-canary-2", "payments/ledger", "shop/worker-b"}, func(s string) string { return s }, nil, nil, nil, strings.Compare)
	cases := []struct {
		q    string
		want []int
	}{
		{"", []int{0, 1, 2, 3}},
		{"/", []int{0, 1, 2, 3}},
		{"web", []int{0, 1, 3}},    // substrings in order, then worker-b (w…e…b)
		{"WEB", []int{0, 1, 3}},    // case-insensitive
		{"wbcnry", []int{1}},       // fuzzy only
		{"shop/w", []int{0, 1, 3}}, // substring, table order
		{"ldgr", []int{2}},         // fuzzy
		{"zzz", nil},               // nothing
		{"web-c", []int{1}},        // exact beats fuzzy
	}
	for _, tc := range cases {
		got, _ := Match(keys, tc.q, nil)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Match(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// BenchmarkMatch50k measures one filter keystroke over 50,000 pod-like keys.
func BenchmarkMatch50k(b *testing.B) {
	rows := make([]string, 50000)
	for i := range rows {
		rows[i] = fmt.Sprintf("team-%02d/service-%d-7c9d5b8f6-%05x", i%50, i%700, i)
	}
	keys, _ := filterKeys(rows, func(s string) string { return s }, nil, nil, nil, strings.Compare)
	for _, q := range []string{"s", "se", "serv", "service-42", "tm7sv"} {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				Match(keys, q, nil)
			}
		})
	}
	// Typing "service-42" one key at a time, each search narrowed to the previous result.
	b.Run("typed", func(b *testing.B) {
		for b.Loop() {
			var pool []int
			for n := 1; n <= len("service-42"); n++ {
				_, pool = Match(keys, "service-42"[:n], pool)
			}
		}
	})
}

// Narrowing to the previous result gives the same answer as a full search.
func TestMatchNarrowing(t *testing.T) {
	rows := make([]string, 3000)
	for i := range rows {
		rows[i] = fmt.Sprintf("ns-%d/pod-%x", i%7, i*7919)
	}
	keys, _ := filterKeys(rows, func(s string) string { return s }, nil, nil, nil, strings.Compare)
	query := "ns-3/pod-1a"
	var pool []int
	for n := 1; n <= len(query); n++ {
		var shown []int
		shown, pool = Match(keys, query[:n], pool)
		if full, _ := Match(keys, query[:n], nil); !slices.Equal(shown, full) {
			t.Fatalf("query %q: narrowed %v != full %v", query[:n], shown, full)
		}
	}
}

// Keys are reused for the rows a previous call already lowercased, and only for those: a
// replaced, inserted or moved row gets its own key.
func TestFilterKeysReusesUnchangedRows(t *testing.T) {
	a, b, c, d := &item{"ns", "A-1"}, &item{"ns", "B-2"}, &item{"ns", "C-3"}, &item{"ns", "D-4"}
	calls := 0
	text := func(i *item) string { calls++; return i.ns + "/" + i.name }
	order := func(x, y *item) int { return x.RowKey().Compare(y.RowKey()) }
	prev := []*item{a, b, c}
	prevKeys, _ := filterKeys(prev, text, nil, nil, nil, order)
	if calls != 3 {
		t.Fatalf("first call lowercased %d rows, want 3", calls)
	}
	b2 := &item{"ns", "B-2"} // b replaced by its update
	calls = 0
	rows := []*item{a, b2, d} // c deleted, d added
	keys, _ := filterKeys(rows, text, prev, prevKeys, nil, order)
	if want := []string{"ns/a-1", "ns/b-2", "ns/d-4"}; !slices.Equal(keys, want) {
		t.Errorf("keys %q, want %q", keys, want)
	}
	if calls != 2 {
		t.Errorf("lowercased %d rows, want 2 (the replaced and the new one)", calls)
	}
	// Rows in another order than the previous call's: still right, whatever is reused.
	rows = []*item{d, c, b2, a}
	keys, _ = filterKeys(rows, text, []*item{a, b2, d}, keys, nil, order)
	if want := []string{"ns/d-4", "ns/c-3", "ns/b-2", "ns/a-1"}; !slices.Equal(keys, want) {
		t.Errorf("keys in reverse order %q, want %q", keys, want)
	}
}

// With the previous matches given, only the new rows and the reused rows that matched
// before are searched again.
func TestFilterKeysNarrowsToPreviousMatches(t *testing.T) {
	a, b, c := &item{"ns", "a"}, &item{"ns", "b"}, &item{"ns", "c"}
	order := func(x, y *item) int { return x.RowKey().Compare(y.RowKey()) }
	text := func(i *item) string { return i.name }
	prev := []*item{a, b, c}
	prevKeys, _ := filterKeys(prev, text, nil, nil, nil, order)
	b2, d := &item{"ns", "b"}, &item{"ns", "d"}
	_, within := filterKeys([]*item{a, b2, c, d}, text, prev, prevKeys, []int{0, 1}, order)
	if want := []int{0, 1, 3}; !slices.Equal(within, want) {
		t.Errorf("within %v, want %v (a matched before; b replaced and d new; c did not match)", within, want)
	}
}
