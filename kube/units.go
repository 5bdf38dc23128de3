package kube

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FormatBytes renders a memory size compactly in binary units: "512Ki", "100Mi", "12.5Gi".
func FormatBytes(b int64) string {
	const ki, mi, gi = 1 << 10, 1 << 20, 1 << 30
	switch {
	case b < mi:
		return fmt.Sprintf("%dKi", (b+ki-1)/ki)
	case b < 10*gi:
		return fmt.Sprintf("%dMi", (b+mi/2)/mi)
	}
	return fmt.Sprintf("%.1fGi", float64(b)/gi)
}

// FormatDecimal renders x rounded to at most two decimals, without trailing zeros:
// 4.6, 4, 4.67.
func FormatDecimal(x float64) string {
	s := strconv.FormatFloat(math.Round(x*100)/100, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
