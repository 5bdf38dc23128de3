package ui

import (
	"sort"
	"strings"

	"github.com/sahilm/fuzzy"
)

// filterKeys returns the lowercase filter text of each row, reusing the key of every row
// that prevRows (an earlier call's rows, with prevKeys its result) already held: stores
// replace a row when it changes and never mutate one, so under churn only the changed rows
// are lowercased again, not all 50,000. rows and prevRows are both sorted by order, a total
// order; a row found out of that order is lowercased again, so the keys are right whatever
// prevRows holds.
//
// prevPool, when not nil, is what matched the query among prevRows (ascending indexes, as
// Match returns it). within is then the rows a query at least as long may match: the new
// rows and the reused ones in prevPool, for Match to search instead of every row.
func filterKeys[R comparable](rows []R, text func(R) string, prevRows []R, prevKeys []string, prevPool []int, order func(a, b R) int) (keys []string, within []int) {
	keys = make([]string, len(rows))
	if prevPool != nil {
		within = make([]int, 0, len(prevPool))
	}
	j, k := 0, 0 // k: the first entry of prevPool not below j
	for i, r := range rows {
		// skip the previous rows that sort before r: deleted, replaced or moved
		for j < len(prevRows) && prevRows[j] != r && order(prevRows[j], r) < 0 {
			j++
		}
		if j < len(prevRows) && prevRows[j] == r {
			keys[i] = prevKeys[j]
			for k < len(prevPool) && prevPool[k] < j {
				k++
			}
			if k < len(prevPool) && prevPool[k] == j {
				within = append(within, i)
			}
			j++
			continue
		}
		keys[i] = strings.ToLower(text(r))
		if prevPool != nil {
			within = append(within, i)
		}
	}
	return keys, within
}

// fuzzyBelow is the number of substring matches under which fuzzy matches are added:
// with plenty of exact hits, fuzzy ones are noise (and the slow part on 50k rows).
const fuzzyBelow = 100

// rankAtMost is the most fuzzy-only matches that are ranked by score (~2 µs each).
const rankAtMost = 1000

// Match returns the indexes of keys that match query: rows containing it as a substring
// first, in their table order, then (when fewer than fuzzyBelow rows contain it) rows that
// only match fuzzily (its letters in order, scored by sahilm/fuzzy), best first.
// keys must be lowercase. within, when not nil, limits the search to those indexes: pass
// the previous call's pool when the query has only grown, since a longer query never
// matches more. pool is every index that matched at all, shown or not, in order.
func Match(keys []string, query string, within []int) (shown, pool []int) {
	q := strings.ToLower(query)
	n := len(keys)
	if within != nil {
		n = len(within)
	}
	pool = make([]int, 0, n) // one allocation, not a chain of doublings (GC pressure per keystroke)
	var loose []int          // usually few: most hits contain the query
	consider := func(i int) {
		k := keys[i]
		switch {
		case strings.Contains(k, q):
			pool = append(pool, i)
		case subsequence(k, q):
			loose = append(loose, i)
			pool = append(pool, i)
		}
	}
	if within != nil { // within is a previous pool: ascending, so results stay in order
		for _, i := range within {
			consider(i)
		}
	} else {
		for i := range keys {
			consider(i)
		}
	}
	if len(loose) == 0 {
		return pool, pool // every hit is a substring hit: one slice serves both (never mutated)
	}
	exact := without(pool, loose)
	if len(exact) >= fuzzyBelow {
		return exact, pool
	}
	if len(loose) > rankAtMost {
		return append(exact, loose...), pool // too many to rank within a keystroke: table order
	}
	candidates := make([]string, len(loose))
	for i, idx := range loose {
		candidates[i] = keys[idx]
	}
	matches := fuzzy.FindNoSort(q, candidates)
	sort.SliceStable(matches, func(i, j int) bool { return matches[i].Score > matches[j].Score })
	for _, m := range matches {
		exact = append(exact, loose[m.Index])
	}
	return exact, pool
}

// without returns the elements of all (ascending) that are not in drop (ascending, a subset).
func without(all, drop []int) []int {
	out := make([]int, 0, len(all)-len(drop))
	j := 0
	for _, v := range all {
		if j < len(drop) && drop[j] == v {
			j++
			continue
		}
		out = append(out, v)
	}
	return out
}

// subsequence reports whether q's bytes appear in k in order: a cheap prefilter that
// keeps the fuzzy scorer off rows that cannot match.
func subsequence(k, q string) bool {
	j := 0
	for i := 0; i < len(k) && j < len(q); i++ {
		if k[i] == q[j] {
			j++
		}
	}
	return j == len(q)
}
