//go:build e2e

package e2e

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// `d` on a pod shows kubectl's describe with its events, `/` finds text in it, and `y`
// shows the pod's YAML.
func TestDescribeAndYAMLOfPod(t *testing.T) {
	ns := newNamespace(t)
	createPods(t, ns, "describe-me")
	term := StartKdeck(t, 140, 40, "-n", ns)
	term.WaitText("pods("+ns+")[1]", 10*time.Second)
	term.WaitText("Running", 30*time.Second)

	term.Send("d")
	term.WaitText("describe pods/"+ns+"/describe-me", 5*time.Second)
	term.WaitText("Node:", 10*time.Second)
	term.Send("G")
	term.WaitText("Events:", 5*time.Second)
	// the scheduler's event may reach the describe on a later refresh
	term.WaitText("Scheduled", 15*time.Second)

	term.Send("g", "/")
	term.Send(strings.Split("registry.example", "")...)
	term.Send("Enter")
	term.WaitText("/registry.example  match 1 of", 3*time.Second)
	term.Send("Escape")
	term.WaitGone("match 1 of", 3*time.Second)

	term.Send("q")
	term.WaitText("pods("+ns+")[1]", 3*time.Second)
	term.Send("y")
	term.WaitText("yaml pods/"+ns+"/describe-me", 5*time.Second)
	term.WaitText("kind: Pod", 10*time.Second)
	if screen := term.Screen(); strings.Contains(screen, "managedFields") {
		t.Errorf("the YAML shows managedFields:\n%s", screen)
	}
}

// A Secret's value, plain or in base64, is never on screen: not in its YAML, not in its
// describe, not in the last-applied annotation that kubectl apply leaves with a copy.
func TestSecretNeverShown(t *testing.T) {
	const plain = "e2e-s3cr3t-value-do-not-show"
	b64 := base64.StdEncoding.EncodeToString([]byte(plain))
	ns := newNamespace(t)
	lastApplied := `{"apiVersion":"v1","data":{"password":"` + b64 + `"},"kind":"Secret","metadata":{"name":"db-creds","namespace":"` + ns + `"},"stringData":{"plain":"` + plain + `"}}`
	_, err := testbed.clientset.CoreV1().Secrets(ns).Create(ctx(t), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "db-creds", Namespace: ns,
			Annotations: map[string]string{corev1.LastAppliedConfigAnnotation: lastApplied}},
		Data: map[string][]byte{"password": []byte(plain), "user": []byte("admin-" + plain)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create secret: %v", err)
	}

	// small, so that the documents take several pages
	term := StartKdeck(t, 100, 12, "-n", ns, "-c", "secrets")
	term.WaitText("db-creds", 10*time.Second)
	assertHidden := func(screen string) {
		t.Helper()
		for _, v := range []string{plain, b64} {
			if strings.Contains(screen, v) {
				t.Fatalf("the screen shows the secret value %q:\n%s", v, screen)
			}
		}
	}
	assertHidden(term.Screen())

	for _, page := range []struct{ key, title, want string }{
		{"y", "yaml secrets/" + ns + "/db-creds", "password: ••••••••  (28 bytes)"},
		{"d", "describe secrets/" + ns + "/db-creds", "password:  28 bytes"},
	} {
		term.Send(page.key)
		term.WaitText(page.title, 5*time.Second)
		term.WaitText("fetched", 10*time.Second)
		for _, wrap := range []bool{false, true} {
			seen := scrollThrough(t, term, assertHidden)
			if !strings.Contains(seen, page.want) {
				t.Errorf("%s: %q never appeared; screens:\n%s", page.title, page.want, seen)
			}
			if !wrap {
				term.Send("w", "g")
			}
		}
		term.Send("q")
		term.WaitText("secrets("+ns+")[1]", 3*time.Second)
	}
}

// position is the status line's "lines A–B of N".
var position = regexp.MustCompile(`lines (\d+)–(\d+) of (\d+)`)

// scrollThrough pages down from the top of a text page to its end, calling check on
// every screen, and returns every screen seen.
func scrollThrough(t *testing.T, term *Term, check func(string)) string {
	t.Helper()
	term.Send("g")
	term.WaitFor("the top of the text", 3*time.Second, func(s string) bool {
		m := position.FindStringSubmatch(s)
		return m != nil && m[1] == "1"
	})
	var seen strings.Builder
	prev := ""
	for range 200 {
		// wait for the scroll to show, and the position (which the first frame of a page,
		// drawn before its size is known, lacks)
		screen := term.Screen()
		m := position.FindStringSubmatch(screen)
		for start := time.Now(); (screen == prev || m == nil) && time.Since(start) < 3*time.Second; {
			time.Sleep(25 * time.Millisecond)
			screen = term.Screen()
			m = position.FindStringSubmatch(screen)
		}
		check(screen)
		seen.WriteString(screen)
		if m == nil {
			t.Fatalf("no position on the status line:\n%s", screen)
		}
		if last, _ := strconv.Atoi(m[2]); strconv.Itoa(last) == m[3] {
			return seen.String()
		}
		prev = screen
		term.Send("j")
	}
	t.Fatalf("never reached the end of the text")
	return ""
}
