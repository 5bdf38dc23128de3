package kube

import (
	"context"
	"sync/atomic"
	"time"

	"k8s.io/client-go/util/flowcontrol"
)

// throttleNotable is the shortest client-side wait worth telling the user about.
const throttleNotable = 50 * time.Millisecond

// Throttle is client-go's client-side rate limiter with a memory of its last notable
// wait, so the UI can say "throttled" instead of looking frozen.
type Throttle struct {
	flowcontrol.RateLimiter
	waited atomic.Int64 // nanoseconds of the last notable wait
	at     atomic.Int64 // when it ended, unix nanoseconds
}

// NewThrottle returns a token-bucket limiter of qps and burst that records its waits.
func NewThrottle(qps float32, burst int) *Throttle {
	return &Throttle{RateLimiter: flowcontrol.NewTokenBucketRateLimiter(qps, burst)}
}

// Wait takes a token, recording how long that took when it was notable.
func (t *Throttle) Wait(ctx context.Context) error {
	start := time.Now()
	err := t.RateLimiter.Wait(ctx)
	if d := time.Since(start); d >= throttleNotable {
		t.waited.Store(int64(d))
		t.at.Store(time.Now().UnixNano())
	}
	return err
}

// Recent returns the last notable wait if it ended within window before now.
func (t *Throttle) Recent(now time.Time, window time.Duration) (time.Duration, bool) {
	if t == nil {
		return 0, false
	}
	at := t.at.Load()
	if at == 0 || now.Sub(time.Unix(0, at)) > window {
		return 0, false
	}
	return time.Duration(t.waited.Load()), true
}
