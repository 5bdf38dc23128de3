//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// Undo's picker on a short terminal (80x14): with ten earlier revisions and the cursor
// moved to the tenth, the marked line is revision 1 and enter rolls back to revision 1.
func TestUndoPickerShortTerminal(t *testing.T) {
	ns := newNamespace(t)
	createDeployment(t, ns, "shop", 1)
	for rev := 2; rev <= 11; rev++ { // one template change at a time, each a revision
		patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"registry.example.com/app:%d.0"}]}}}}`, rev)
		if _, err := testbed.clientset.AppsV1().Deployments(ns).Patch(ctx(t), "shop", types.StrategicMergePatchType,
			[]byte(patch), metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
		eventually(t, "revision "+strconv.Itoa(rev), 20*time.Second, func() bool {
			return deployment(t, ns, "shop").Annotations["deployment.kubernetes.io/revision"] == strconv.Itoa(rev)
		})
	}
	term := StartKdeck(t, 80, 14, "-n", ns, "-c", "deploy")
	term.WaitLine(20*time.Second, "shop ", "1/1")
	term.Send("u")
	term.WaitText("to revision", 5*time.Second)
	for range 9 {
		term.Send("Down")
	}
	term.WaitFor("revision 1 marked", 5*time.Second, func(s string) bool {
		return lineWith(s, "› 1 ", "app:1.0") != "" && strings.Count(s, "›") == 1
	})
	term.Send("Enter")
	eventually(t, "image back to 1.0", 10*time.Second, func() bool {
		return deployment(t, ns, "shop").Spec.Template.Spec.Containers[0].Image == "registry.example.com/app:1.0"
	})
}

// A saved forwards file that blocks (a FIFO nobody writes, as a file on a hung network
// mount would) does not freeze kdeck: after r on :pf the screen still answers keys.
func TestHungForwardsFileKeepsKdeckResponsive(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "kdeck"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(home, "kdeck", "forwards.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	term := StartKdeckHome(t, home, 120, 30, "-c", "pf")
	term.WaitText("port-forwards(all)[0]", 10*time.Second)
	term.Send("r")
	term.command("svc")
	term.WaitText("services(", 5*time.Second)
}
