package benchtrace

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat times; 100 on every Linux Go supports.
const clockTicks = 100

// processAge is how long ago this process started, from /proc/self/stat's starttime (clock
// ticks since boot, rounded down) and CLOCK_BOOTTIME.
func processAge() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	var now unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &now) != nil {
		return 0, false
	}
	ticks, ok := statField(string(b), 22)
	if !ok {
		return 0, false
	}
	started := time.Duration(ticks) * (time.Second / clockTicks)
	return time.Duration(now.Nano()) - started, true
}

// statField returns field n (1-based, as in proc(5)) of a /proc/PID/stat line; the command
// name (field 2) may hold spaces, so fields are counted after its closing parenthesis.
func statField(stat string, n int) (int64, bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 || n < 3 {
		return 0, false
	}
	f := strings.Fields(stat[i+1:])
	if n-3 >= len(f) {
		return 0, false
	}
	v, err := strconv.ParseInt(f[n-3], 10, 64)
	return v, err == nil
}
