//go:build !linux

package benchtrace

import "time"

// processAge is unknown off Linux: times count from this package's initialisation.
func processAge() (time.Duration, bool) { return 0, false }
