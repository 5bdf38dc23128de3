package forward

import (
	"context"
	"fmt"

	"github.com/kdeck/kdeck/kube"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TargetPort is one TCP port a pod, container or service offers to forward to.
type TargetPort struct {
	Port  int
	Label string // "8080 http (container app)", "80 web → http"
}

// Ports lists the TCP ports that kind/ns/name declares (a pod's containers' ports,
// only container's when set, or a service's ports), in spec order.
func Ports(ctx context.Context, client *kube.Client, kind Kind, ns, name, container string) ([]TargetPort, error) {
	cs := client.Clientset
	var out []TargetPort
	tcp := func(p corev1.Protocol) bool { return p == "" || p == corev1.ProtocolTCP }
	if kind == KindService {
		svc, err := cs.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return nil, kube.Classify(err, "get", "services", ns)
		}
		for _, p := range svc.Spec.Ports {
			if tcp(p.Protocol) {
				label := fmt.Sprintf("%d %s → %s", p.Port, p.Name, p.TargetPort.String())
				out = append(out, TargetPort{Port: int(p.Port), Label: label})
			}
		}
		return out, nil
	}
	pod, err := cs.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, kube.Classify(err, "get", "pods", ns)
	}
	for _, c := range append(pod.Spec.InitContainers, pod.Spec.Containers...) {
		if container != "" && c.Name != container {
			continue
		}
		for _, p := range c.Ports {
			if tcp(p.Protocol) {
				label := fmt.Sprintf("%d %s (container %s)", p.ContainerPort, p.Name, c.Name)
				out = append(out, TargetPort{Port: int(p.ContainerPort), Label: label})
			}
		}
	}
	return out, nil
}
