//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// pfGreeting is what the testbed's port-forward target answers.
const pfGreeting = "hello from testbed"

// pfTarget serves pfGreeting on the port every testbed port-forward reaches (the
// cluster's ClusterPortForward: KDECK_TESTBED_PF_PORT, default 18080) for one test.
func pfTarget(t *testing.T) {
	t.Helper()
	port := os.Getenv("KDECK_TESTBED_PF_PORT")
	if port == "" {
		port = "18080"
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:"+port)
	if err != nil {
		t.Fatalf("the testbed's port-forward target port is taken (set KDECK_TESTBED_PF_PORT): %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, pfGreeting)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

// freeLocalPort returns a port free on 127.0.0.1 an instant ago.
func freeLocalPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// get returns the body of GET http://127.0.0.1:port/, on a fresh connection.
func get(port int) (string, error) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// mustGet asserts that GET through port answers pfGreeting, within 10 s.
func mustGet(t *testing.T, port int, when string) {
	t.Helper()
	var body string
	var err error
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(200 * time.Millisecond) {
		if body, err = get(port); err == nil && body == pfGreeting {
			return
		}
	}
	t.Fatalf("%s: GET through 127.0.0.1:%d: %q, %v; want %q", when, port, body, err, pfGreeting)
}

// typePort replaces the dialog's input with text and submits it.
func (term *Term) typePort(text string) {
	term.t.Helper()
	keys := slices.Repeat([]string{"BSpace"}, 12)
	term.Send(append(append(keys, strings.Split(text, "")...), "Enter")...)
}

// readyPods returns the ready pods behind service ns/name, from its EndpointSlices.
func readyPods(t *testing.T, ns, name string) []string {
	t.Helper()
	list, err := testbed.clientset.DiscoveryV1().EndpointSlices(ns).List(ctx(t),
		metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=" + name})
	if err != nil {
		t.Fatal(err)
	}
	var pods []string
	for _, s := range list.Items {
		for _, e := range s.Endpoints {
			if e.TargetRef != nil && (e.Conditions.Ready == nil || *e.Conditions.Ready) {
				pods = append(pods, e.TargetRef.Name)
			}
		}
	}
	slices.Sort(pods)
	return pods
}

// waitReadyPods waits until service ns/name has want ready pods, none of them in not.
func waitReadyPods(t *testing.T, ns, name string, want int, not ...string) []string {
	t.Helper()
	var pods []string
	for start := time.Now(); time.Since(start) < 60*time.Second; time.Sleep(250 * time.Millisecond) {
		pods = readyPods(t, ns, name)
		if len(pods) == want && !slices.ContainsFunc(pods, func(p string) bool { return slices.Contains(not, p) }) {
			return pods
		}
	}
	t.Fatalf("service %s/%s has ready pods %v; want %d, none of %v", ns, name, pods, want, not)
	return nil
}

// webService creates deployment web (replicas pods with port 8080 named http) and
// service web (port 80 → http), and waits for its endpoints.
func webService(t *testing.T, ns string, replicas int32) []string {
	t.Helper()
	d := kwokDeployment(ns, "web", replicas)
	d.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080, Protocol: corev1.ProtocolTCP}}
	if _, err := testbed.clientset.AppsV1().Deployments(ns).Create(ctx(t), d, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create deployment: %v", err)
	}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"}, Spec: corev1.ServiceSpec{
		Selector: map[string]string{"app": "web"},
		Ports:    []corev1.ServicePort{{Name: "web", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}}}}
	if _, err := testbed.clientset.CoreV1().Services(ns).Create(ctx(t), svc, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create service: %v", err)
	}
	return waitReadyPods(t, ns, "web", int(replicas))
}

// podInUse returns the pod of pods named on the :pf line of local port port.
func podInUse(screen string, port int, pods []string) string {
	line := lineWith(screen, fmt.Sprintf("127.0.0.1:%d ", port))
	for _, p := range pods {
		if strings.Contains(line, p) {
			return p
		}
	}
	return ""
}

// A service forward started from shift-f reaches the testbed's target, survives the
// deletion of the pod it uses (the next request goes to another ready pod, which :pf
// shows), is audited and saved.
func TestPortForwardServiceSurvivesPod(t *testing.T) {
	pfTarget(t)
	ns := newNamespace(t)
	pods := webService(t, ns, 2)
	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "svc")
	term.WaitFor("service web", 10*time.Second, func(s string) bool { return lineWith(s, "web ", " 2/2 ") != "" })

	port := freeLocalPort(t)
	term.Send("F")
	term.WaitText("Port-forward service "+ns+"/web", 5*time.Second)
	term.WaitText("Remote port 80.", 2*time.Second)
	term.typePort(strconv.Itoa(port))
	term.WaitText("✓ create pods "+ns+"/web: port-forward 127.0.0.1:"+strconv.Itoa(port), 10*time.Second)
	mustGet(t, port, "after shift-f")

	term.command("pf")
	term.WaitText("port-forwards(all)[1]", 5*time.Second)
	var used string
	term.WaitFor("the pod in use on :pf", 5*time.Second, func(s string) bool {
		used = podInUse(s, port, pods)
		return used != "" && lineWith(s, "service/"+ns+"/web:80", " active ") != ""
	})
	t.Logf("pod in use: %s of %v", used, pods)

	if err := testbed.clientset.CoreV1().Pods(ns).Delete(ctx(t), used, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatalf("delete pod in use: %v", err)
	}
	start := time.Now()
	pods = waitReadyPods(t, ns, "web", 2, used)
	t.Logf("replacement ready %s after the delete: %v", time.Since(start).Round(time.Millisecond), pods)
	mustGet(t, port, "after the pod in use was deleted")
	var now string
	term.WaitFor("a new pod in use on :pf", 5*time.Second, func(s string) bool {
		now = podInUse(s, port, pods)
		return now != ""
	})
	if now == used {
		t.Fatalf(":pf still shows the deleted pod %s in use", used)
	}
	t.Logf("pod in use after the delete: %s", now)

	audit, err := os.ReadFile(filepath.Join(term.Home, "kdeck", "audit.log"))
	if err != nil || !strings.Contains(string(audit), `"resource":"pods/portforward"`) {
		t.Errorf("audit log lacks the forward: %v\n%s", err, audit)
	}
	saved := filepath.Join(term.Home, "kdeck", "forwards.yaml")
	data, err := os.ReadFile(saved)
	if err != nil || !strings.Contains(string(data), fmt.Sprintf("local: %d", port)) {
		t.Errorf("forwards.yaml lacks the forward: %v\n%s", err, data)
	}
	if fi, err := os.Stat(saved); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("forwards.yaml mode %v, %v; want 0600", fi.Mode(), err)
	}
}

// A busy local port is refused inline in the dialog, and no forward starts; read-only
// mode refuses shift-f before any prompt.
func TestPortForwardBusyPortRefused(t *testing.T) {
	ns := newNamespace(t)
	webService(t, ns, 1)
	busy, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port

	term := StartKdeck(t, 200, 30, "-n", ns, "-c", "svc")
	term.WaitFor("service web", 10*time.Second, func(s string) bool { return lineWith(s, "web ", " 1/1 ") != "" })
	term.Send("F")
	term.WaitText("Remote port 80.", 5*time.Second)
	term.typePort(strconv.Itoa(port))
	term.WaitText(fmt.Sprintf("local port %d is already in use", port), 5*time.Second)
	term.typePort("99999")
	term.WaitText("local port 99999 is out of range", 5*time.Second)
	term.Send("Escape")
	term.WaitGone("Remote port 80.", 5*time.Second)
	term.command("pf")
	term.WaitText("port-forwards(all)[0]", 5*time.Second)
	if audit, _ := os.ReadFile(filepath.Join(term.Home, "kdeck", "audit.log")); strings.Contains(string(audit), "portforward") {
		t.Errorf("a refused port reached the mutation door:\n%s", audit)
	}

	t.Run("readonly", func(t *testing.T) { // a pane of its own: closing the last one ends tmux
		ro := StartKdeck(t, 200, 30, "-n", ns, "-c", "svc", "--readonly")
		ro.WaitFor("service web", 10*time.Second, func(s string) bool { return lineWith(s, "web ", " 1/1 ") != "" })
		ro.Send("F")
		ro.WaitText("refused, kdeck is read-only", 5*time.Second)
		if strings.Contains(ro.Screen(), "Remote port") {
			t.Errorf("read-only mode opened the port-forward prompt")
		}
	})
}

// shift-f on a pod that declares no port takes LOCAL:REMOTE; the forward stops when kdeck
// quits, `r` in :pf restarts it from forwards.yaml, and ctrl-d stops it and forgets it.
func TestPortForwardPodSavedRestartStop(t *testing.T) {
	pfTarget(t)
	ns := newNamespace(t)
	createPods(t, ns, "solo")
	home := t.TempDir()
	term := StartKdeckHome(t, home, 200, 30, "-n", ns)
	term.WaitFor("pod solo running", 60*time.Second, func(s string) bool { return lineWith(s, "solo ", "Running") != "" })

	port := freeLocalPort(t)
	term.Send("F")
	term.WaitText("It declares no port", 5*time.Second)
	term.typePort(strconv.Itoa(port) + ":8080")
	term.WaitText("✓ create pods "+ns+"/solo", 10*time.Second)
	mustGet(t, port, "pod forward")

	term.Send("C-c")
	var err error
	for start := time.Now(); time.Since(start) < 5*time.Second && !errors.Is(err, syscall.ECONNREFUSED); time.Sleep(50 * time.Millisecond) {
		_, err = get(port)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("port %d still answers after kdeck quit: %v", port, err)
	}
	t.Run("restart", func(t *testing.T) { restartSaved(t, home, ns, port) })
}

// restartSaved starts kdeck again on home: `r` in :pf restarts the saved forward on port,
// and ctrl-d stops it and forgets it.
func restartSaved(t *testing.T, home, ns string, port int) {
	term := StartKdeckHome(t, home, 200, 30, "-n", ns, "-c", "pf")
	term.WaitText("port-forwards(all)[0]", 10*time.Second)
	term.Send("r")
	term.WaitText("port-forwards(all)[1]", 10*time.Second)
	term.WaitFor("the restarted forward", 5*time.Second, func(s string) bool {
		return lineWith(s, fmt.Sprintf("127.0.0.1:%d", port), "pod/"+ns+"/solo:8080", "solo", "active") != ""
	})
	mustGet(t, port, "after r restarted it")

	term.Send("C-d")
	term.WaitText("Stop port-forward", 5*time.Second)
	term.Send("y")
	term.WaitText("port-forwards(all)[0]", 10*time.Second)
	if _, err := get(port); err == nil {
		t.Fatalf("port %d still answers after ctrl-d", port)
	}
	if data, _ := os.ReadFile(filepath.Join(home, "kdeck", "forwards.yaml")); strings.Contains(string(data), "solo") {
		t.Errorf("a stopped forward is still saved:\n%s", data)
	}
}
