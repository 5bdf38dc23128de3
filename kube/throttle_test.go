package kube

import (
	"context"
	"testing"
	"time"
)

func TestThrottleRemembersWaits(t *testing.T) {
	th := NewThrottle(5, 1) // one token, then one every 200 ms
	if err := th.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := th.Recent(time.Now(), time.Minute); ok {
		t.Fatalf("an immediate token is not a throttling wait")
	}
	if err := th.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	d, ok := th.Recent(time.Now(), time.Minute)
	if !ok || d < 100*time.Millisecond {
		t.Fatalf("second token: recent wait %v %v, want about 200ms", d, ok)
	}
	if _, ok := th.Recent(time.Now().Add(2*time.Minute), time.Minute); ok {
		t.Fatalf("a wait older than the window is not recent")
	}
}
