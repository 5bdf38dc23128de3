package views

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kdeck/kdeck/ui/uitest"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/kdeck/kdeck/kube"
	"github.com/kdeck/kdeck/ui"
)

var webRef = kube.ObjectRef{GVR: kube.GVRPods, Namespace: "shop", Name: "web-6b7f9c8d7d-x7k2p"}

const describeFixture = `Name:             web-6b7f9c8d7d-x7k2p
Namespace:        shop
Priority:         0
Service Account:  default
Node:             kwok-node-3/10.0.0.3
Start Time:       Sat, 21 Nov 2026 12:00:00 +0000
Labels:           app=web
                  pod-template-hash=6b7f9c8d7d
Annotations:      <none>
Status:           Running
IP:               10.0.2.20
IPs:
  IP:           10.0.2.20
Controlled By:  ReplicaSet/web-6b7f9c8d7d
Containers:
  app:
    Container ID:   containerd://4f0c2a9e
    Image:          registry.example.com/shop/web:2.4.1
    Image ID:       registry.example.com/shop/web@sha256:9b1f6e0c4d2a7b3e8f5a1c6d9e2b4f7a0c3d6e9f2a5b8c1d4e7f0a3b6c9d2e5f8
    Port:           8080/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Sat, 21 Nov 2026 12:00:05 +0000
    Ready:          True
    Restart Count:  0
    Requests:
      cpu:        100m
      memory:     128Mi
    Environment:
      DB_PASSWORD:  <set to the key 'password' in secret 'db'>  Optional: false
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-7xk2p (ro)
Conditions:
  Type              Status
  Initialized       True
  Ready             True
  ContainersReady   True
  PodScheduled      True
QoS Class:          Burstable
Node-Selectors:     type=kwok
Tolerations:        kwok.x-k8s.io/node:NoSchedule op=Exists
Events:
  Type    Reason     Age   From               Message
  ----    ------     ----  ----               -------
  Normal  Scheduled  3d    default-scheduler  Successfully assigned shop/web-6b7f9c8d7d-x7k2p to kwok-node-3
  Normal  Pulled     3d    kubelet            Container image "registry.example.com/shop/web:2.4.1" already present on machine
  Normal  Started    3d    kubelet            Started container app
`

const yamlFixture = `apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: "2026-11-20T12:00:00Z"
  labels:
    app: web
    pod-template-hash: 6b7f9c8d7d
  name: web-6b7f9c8d7d-x7k2p
  namespace: shop
  ownerReferences:
  - apiVersion: apps/v1
    controller: true
    kind: ReplicaSet
    name: web-6b7f9c8d7d
    uid: 0d6f3c1e-4b7a-4d2e-9c8f-1a2b3c4d5e6f
  uid: 8e2a1f4c-7b3d-4c9e-a6f1-2d3e4f5a6b7c
spec:
  containers:
  - image: registry.example.com/shop/web:2.4.1
    name: app
    ports:
    - containerPort: 8080
      protocol: TCP
    resources:
      requests:
        cpu: 100m
        memory: 128Mi
  nodeName: kwok-node-3
  nodeSelector:
    type: kwok
status:
  phase: Running
  podIP: 10.0.2.20
`

// textPage returns a describe or YAML page of webRef holding text (or err), fetched a
// minute before fixedNow; nothing is fetched.
func textPage(env *ui.Env, kind, text string, err error) *ui.TextPage {
	p := NewYAML(env, webRef)
	if kind == "describe" {
		p = NewDescribe(env, webRef)
	}
	if err != nil {
		p.SetResult("", err, fixedNow)
	} else {
		p.SetResult(text, nil, fixedNow.Add(-time.Minute))
	}
	return p
}

func TestObjectPagesGolden(t *testing.T) {
	for _, kind := range []string{"describe", "yaml"} {
		text := map[string]string{"describe": describeFixture, "yaml": yamlFixture}[kind]
		for _, size := range [][2]int{{80, 24}, {200, 50}, {20, 5}} {
			t.Run(fmt.Sprintf("%s/%dx%d", kind, size[0], size[1]), func(t *testing.T) {
				env := testEnv("shop")
				golden.RequireEqual(t, ansi.Strip(renderPage(env, textPage(env, kind, text, nil), size[0], size[1])))
			})
		}
	}
	t.Run("search", func(t *testing.T) {
		env := testEnv("shop")
		p := textPage(env, "describe", describeFixture, nil)
		for _, k := range []string{"/", "k", "w", "o", "k", "enter", "n"} {
			p.Update(uitest.Key(k))
		}
		out := ansi.Strip(renderPage(env, p, 80, 24))
		golden.RequireEqual(t, out)
		if !strings.Contains(out, "match 2 of 4") || !strings.Contains(out, "Tolerations:") {
			t.Errorf("searching kwok then n does not show the second of four matches:\n%s", out)
		}
	})
	t.Run("forbidden", func(t *testing.T) {
		env := testEnv("shop")
		err := &kube.Error{Kind: kube.KindForbidden, Verb: "get", Resource: "secrets", Namespace: "shop", Err: errors.New("403")}
		out := ansi.Strip(renderPage(env, textPage(env, "describe", "", err), 80, 12))
		golden.RequireEqual(t, out)
		if !strings.Contains(out, "forbidden: cannot get secrets in namespace shop") {
			t.Errorf("the error is not in the body:\n%s", out)
		}
	})
}

func TestObjectPagesEverySize(t *testing.T) {
	for _, kind := range []string{"describe", "yaml"} {
		env := testEnv("shop")
		p := textPage(env, kind, describeFixture+yamlFixture, nil)
		requireEverySize(t, func(w, h int) string { return renderPage(env, p, w, h) })
	}
}

// A secret's YAML page, scrolled through from top to bottom, never shows a value.
func TestSecretYAMLPageMasked(t *testing.T) {
	const plain = "correct-horse-battery-staple"
	b64 := base64.StdEncoding.EncodeToString([]byte(plain))
	obj := map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": "db", "namespace": "shop", "annotations": map[string]any{
			"kubectl.kubernetes.io/last-applied-configuration": `{"data":{"password":"` + b64 + `"},"kind":"Secret"}`}},
		"data": map[string]any{"password": b64}}
	text, err := kube.RenderYAML(obj)
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv("shop")
	p := NewYAML(env, kube.ObjectRef{GVR: kube.GVRSecrets, Namespace: "shop", Name: "db"})
	p.SetResult(text, nil, fixedNow)
	seen := ""
	for range 20 {
		out := ansi.Strip(renderPage(env, p, 40, 6))
		seen += out
		for _, v := range []string{plain, b64} {
			if strings.Contains(out, v) {
				t.Fatalf("the screen shows %q:\n%s", v, out)
			}
		}
		p.Update(uitest.Key("j"))
	}
	if !strings.Contains(seen, kube.Mask) {
		t.Errorf("the mask never appeared while scrolling")
	}
}

// d and y on a row open the describe and YAML pages of that object.
func TestObjectActions(t *testing.T) {
	env := testEnv("")
	row := fixturePods()[3]
	titles := map[string]string{}
	for _, a := range objectActions[*kube.Pod](kube.GVRPods) {
		if a.Mutates != nil || a.Key.Help().Key == "o" || a.Key.Help().Key == "Y" {
			continue // delete asks first (the e2e TestDeleteNeedsTheTypedName); o asks the cluster (the e2e TestOwnerTree); Y copies (TestCopy)
		}
		msg := a.Run(env, row)()
		push, ok := msg.(ui.PushMsg)
		if !ok {
			t.Fatalf("%s: got %T, want a PushMsg", a.Key.Help().Key, msg)
		}
		titles[a.Key.Help().Key] = push.Page.Title()
		push.Page.Close()
	}
	want := map[string]string{"d": "describe pods/shop/web-6b7f9c8d7d-x7k2p", "y": "yaml pods/shop/web-6b7f9c8d7d-x7k2p",
		"T": "tree(pods/shop/web-6b7f9c8d7d-x7k2p)"}
	if fmt.Sprint(titles) != fmt.Sprint(want) {
		t.Errorf("titles %v, want %v", titles, want)
	}
}

func TestSecretsGolden(t *testing.T) {
	env := testEnv("")
	v := NewSecrets(env, "")
	v.Show(kube.Snapshot[*kube.Secret]{State: kube.State{Phase: kube.PhaseLive, LiveSince: fixedNow}, Rows: []*kube.Secret{
		{Namespace: "payments", Name: "ledger-db", Type: "Opaque", Keys: 2, Created: fixedNow.Add(-26 * time.Hour)},
		{Namespace: "shop", Name: "web-tls", Type: "kubernetes.io/tls", Keys: 2, Created: fixedNow.Add(-90 * 24 * time.Hour),
			Expires: fixedNow.Add(20*24*time.Hour + time.Hour)},
		{Namespace: "shop", Name: "api-tls", Type: "kubernetes.io/tls", Keys: 2, Created: fixedNow.Add(-90 * 24 * time.Hour),
			Expires: fixedNow.Add(300 * 24 * time.Hour)},
		{Namespace: "shop", Name: "old-tls", Type: "kubernetes.io/tls", Keys: 2, Created: fixedNow.Add(-400 * 24 * time.Hour),
			Expires: fixedNow.Add(-3*24*time.Hour - time.Hour)},
		{Namespace: "shop", Name: "broken-tls", Type: "kubernetes.io/tls", Keys: 2, Created: fixedNow.Add(-time.Hour), CertErr: "no PEM certificate found"},
		{Namespace: "shop", Name: "registry-pull", Type: "kubernetes.io/dockerconfigjson", Keys: 1, Created: fixedNow.Add(-5 * time.Minute)},
	}})
	golden.RequireEqual(t, ansi.Strip(renderPage(env, v, 80, 10)))
}
