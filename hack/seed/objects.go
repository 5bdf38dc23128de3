package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

const (
	registry = "registry.example.com"

	// kwok reads a pod's emulated usage from these annotations (testbed's ClusterResourceUsage).
	annoUsageCPU    = "kwok.x-k8s.io/usage-cpu"
	annoUsageMemory = "kwok.x-k8s.io/usage-memory"
	// labelChaos selects the testbed's crash-loop Stage.
	labelChaos = "kdeck.dev/chaos"
)

// app describes one Deployment of the company and its pods.
type app struct {
	ns, name, image string
	replicas        int32
	labels          map[string]string // pod labels besides app=name (or overriding it), also in the selector
	chaos           string            // value of kdeck.dev/chaos on the pods, if any
	port            int32
	cpu, mem        string // requests; cpu "" means none (an HPA on CPU then lacks metrics)
	useCPU, useMem  string // emulated usage
	claim           string // a PersistentVolumeClaim its pods mount at /data, if any
}

// company is every Deployment but checkout, which rollout handles.
var company = []app{
	// shop: the storefront. web and web-canary are a stable/canary pair behind Service web.
	{ns: "shop", name: "web", image: "shop/web:1.4.2", replicas: 4, labels: map[string]string{"track": "stable"}, port: 8080, cpu: "250m", mem: "256Mi", useCPU: "140m", useMem: "190Mi"},
	{ns: "shop", name: "web-canary", image: "shop/web:1.5.0-rc1", replicas: 1, labels: map[string]string{"app": "web", "track": "canary"}, port: 8080, cpu: "250m", mem: "256Mi", useCPU: "215m", useMem: "238Mi"},
	{ns: "shop", name: "cart", image: "shop/cart:3.2.1", replicas: 2, port: 8080, cpu: "100m", mem: "128Mi", useCPU: "150m", useMem: "96Mi"},
	{ns: "shop", name: "catalog", image: "shop/catalog:2.11.0", replicas: 3, port: 8080, cpu: "200m", mem: "512Mi", useCPU: "60m", useMem: "410Mi"},
	{ns: "shop", name: "search", image: "shop/search:0.19.4", replicas: 1, port: 9200, cpu: "200m", mem: "1Gi", useCPU: "380m", useMem: "780Mi"},
	// payments: money moves here. fraud-scorer crash-loops.
	{ns: "payments", name: "payments-api", image: "payments/api:5.0.3", replicas: 3, port: 8443, cpu: "300m", mem: "384Mi", useCPU: "120m", useMem: "300Mi"},
	{ns: "payments", name: "ledger", image: "payments/ledger:1.9.7", replicas: 2, port: 5000, cpu: "200m", mem: "512Mi", useCPU: "45m", useMem: "350Mi"},
	{ns: "payments", name: "fraud-scorer", image: "payments/fraud-scorer:0.8.0", replicas: 2, chaos: "crashloop", port: 8080, cpu: "500m", mem: "1Gi", useCPU: "5m", useMem: "40Mi"},
	// platform: shared services. report-builder asks for more CPU than any node has.
	{ns: "platform", name: "api-gateway", image: "platform/gateway:2.2.0", replicas: 2, port: 8080, cpu: "200m", mem: "128Mi", useCPU: "95m", useMem: "88Mi"},
	{ns: "platform", name: "notifications", image: "platform/notifications:1.3.1", replicas: 2, port: 8080, mem: "96Mi", useCPU: "30m", useMem: "64Mi"},
	{ns: "platform", name: "report-builder", image: "platform/report-builder:0.4.2", replicas: 1, port: 8080, cpu: "12", mem: "24Gi", useCPU: "1", useMem: "2Gi"},
	// monitoring
	{ns: "monitoring", name: "prometheus", image: "monitoring/prometheus:v3.5.0", replicas: 1, port: 9090, cpu: "500m", mem: "2Gi", useCPU: "320m", useMem: "1400Mi", claim: "prometheus-data"},
	{ns: "monitoring", name: "grafana", image: "monitoring/grafana:12.1.0", replicas: 1, port: 3000, cpu: "100m", mem: "256Mi", useCPU: "25m", useMem: "180Mi"},
	{ns: "monitoring", name: "alertmanager", image: "monitoring/alertmanager:v0.28.1", replicas: 2, port: 9093, cpu: "50m", mem: "64Mi", useCPU: "8m", useMem: "41Mi"},
	{ns: "monitoring", name: "kube-state-metrics", image: "monitoring/kube-state-metrics:v2.16.0", replicas: 1, port: 8080, cpu: "100m", mem: "128Mi", useCPU: "35m", useMem: "72Mi"},
}

// teams owns each namespace; it becomes the team label of the namespace and its objects.
var teams = map[string]string{"shop": "storefront", "payments": "payments", "platform": "platform", "monitoring": "sre"}

// namespaceNames are the company's namespaces.
var namespaceNames = []string{"shop", "payments", "platform", "monitoring"}

func namespaces() []*corev1.Namespace {
	var out []*corev1.Namespace
	for _, ns := range namespaceNames {
		out = append(out, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
			Name:   ns,
			Labels: map[string]string{"team": teams[ns], "environment": "production"},
		}})
	}
	return out
}

// deployments builds the Deployments of company.
func deployments() []*appsv1.Deployment {
	var out []*appsv1.Deployment
	for _, a := range company {
		out = append(out, deployment(a))
	}
	return out
}

// checkoutNext is the image checkout rolls to from checkoutApp's (and back).
const checkoutNext = registry + "/shop/checkout:2.8.0"

// checkoutApp is the app kept mid-rollout (see seeder.rollout).
var checkoutApp = app{ns: "shop", name: "checkout", image: "shop/checkout:2.7.0", replicas: 4, port: 8080,
	cpu: "150m", mem: "192Mi", useCPU: "80m", useMem: "150Mi"}

// checkout is the Deployment kept mid-rollout: every new pod must stay ready for three
// minutes before the next old one goes, one at a time, so four pods take about 12 minutes.
func checkout() *appsv1.Deployment {
	d := deployment(checkoutApp)
	d.Spec.MinReadySeconds = 180
	d.Spec.ProgressDeadlineSeconds = ptr(int32(3600))
	d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{
		MaxSurge:       ptr(intstr.FromInt32(1)),
		MaxUnavailable: ptr(intstr.FromInt32(0)),
	}
	return d
}

// deployment builds a Deployment for a: pods tolerate kwok's taint, land on kwok nodes and
// carry kwok usage annotations.
func deployment(a app) *appsv1.Deployment {
	sel := map[string]string{"app": a.name}
	for k, v := range a.labels {
		sel[k] = v
	}
	deployLabels := map[string]string{"team": teams[a.ns]}
	podLabels := map[string]string{"team": teams[a.ns]}
	for k, v := range sel {
		deployLabels[k], podLabels[k] = v, v
	}
	if a.chaos != "" {
		podLabels[labelChaos] = a.chaos
	}
	res := corev1.ResourceRequirements{Requests: corev1.ResourceList{}, Limits: corev1.ResourceList{}}
	if a.cpu != "" {
		res.Requests[corev1.ResourceCPU] = resource.MustParse(a.cpu)
	}
	if a.mem != "" {
		res.Requests[corev1.ResourceMemory] = resource.MustParse(a.mem)
		res.Limits[corev1.ResourceMemory] = resource.MustParse(a.mem)
	}
	var volumes []corev1.Volume
	var mounts []corev1.VolumeMount
	if a.claim != "" {
		volumes = []corev1.Volume{{Name: "data", VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: a.claim}}}}
		mounts = []corev1.VolumeMount{{Name: "data", MountPath: "/data"}}
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{
			Name: a.name, Namespace: a.ns,
			Labels: deployLabels,
		},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(a.replicas),
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels:      podLabels,
					Annotations: map[string]string{annoUsageCPU: a.useCPU, annoUsageMemory: a.useMem},
				},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:         a.name,
						Image:        registry + "/" + a.image,
						Ports:        []corev1.ContainerPort{{Name: "http", ContainerPort: a.port}},
						Env:          []corev1.EnvVar{{Name: "LOG_LEVEL", Value: "info"}, {Name: "TEAM", Value: teams[a.ns]}},
						Resources:    res,
						VolumeMounts: mounts,
					}},
					Volumes:          volumes,
					ImagePullSecrets: []corev1.LocalObjectReference{{Name: "regcred"}},
					NodeSelector:     map[string]string{"type": "kwok"},
					Tolerations: []corev1.Toleration{{
						Key: "kwok.x-k8s.io/node", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule,
					}},
				},
			},
		},
	}
}

// services: ClusterIP and NodePort, a headless one, and legacy-billing, which selects no pod.
func services() []*corev1.Service {
	svc := func(ns, name string, typ corev1.ServiceType, sel map[string]string, port, target int32) *corev1.Service {
		return &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"team": teams[ns]}},
			Spec: corev1.ServiceSpec{
				Type:     typ,
				Selector: sel,
				Ports: []corev1.ServicePort{{
					Name: "http", Port: port, TargetPort: intstr.FromInt32(target), Protocol: corev1.ProtocolTCP,
				}},
			},
		}
	}
	app := func(name string) map[string]string { return map[string]string{"app": name} }
	ledger := svc("payments", "ledger", corev1.ServiceTypeClusterIP, app("ledger"), 5000, 5000)
	ledger.Spec.ClusterIP = corev1.ClusterIPNone
	return []*corev1.Service{
		svc("shop", "web", corev1.ServiceTypeClusterIP, app("web"), 80, 8080),
		svc("shop", "cart", corev1.ServiceTypeClusterIP, app("cart"), 80, 8080),
		svc("shop", "catalog", corev1.ServiceTypeClusterIP, app("catalog"), 80, 8080),
		svc("shop", "search", corev1.ServiceTypeClusterIP, app("search"), 9200, 9200),
		svc("shop", "checkout", corev1.ServiceTypeClusterIP, app("checkout"), 80, 8080),
		svc("payments", "payments-api", corev1.ServiceTypeClusterIP, app("payments-api"), 443, 8443),
		ledger,
		svc("payments", "fraud-scorer", corev1.ServiceTypeClusterIP, app("fraud-scorer"), 80, 8080),
		svc("platform", "api-gateway", corev1.ServiceTypeNodePort, app("api-gateway"), 80, 8080),
		svc("platform", "notifications", corev1.ServiceTypeClusterIP, app("notifications"), 80, 8080),
		svc("platform", "legacy-billing", corev1.ServiceTypeClusterIP, app("legacy-billing"), 80, 8080),
		svc("monitoring", "prometheus", corev1.ServiceTypeClusterIP, app("prometheus"), 9090, 9090),
		svc("monitoring", "grafana", corev1.ServiceTypeNodePort, app("grafana"), 3000, 3000),
		svc("monitoring", "alertmanager", corev1.ServiceTypeClusterIP, app("alertmanager"), 9093, 9093),
	}
}

// ingresses: the shop's storefront routes to three services behind a certificate that is
// fine, payments' API behind one that expires soon, and grafana names a TLS secret nobody
// created.
func ingresses() []*networkingv1.Ingress {
	path := func(p, svc string, port int32) networkingv1.HTTPIngressPath {
		return networkingv1.HTTPIngressPath{Path: p, PathType: ptr(networkingv1.PathTypePrefix),
			Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: svc,
				Port: networkingv1.ServiceBackendPort{Number: port}}}}
	}
	ing := func(ns, name, host, secret string, paths ...networkingv1.HTTPIngressPath) *networkingv1.Ingress {
		return &networkingv1.Ingress{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"team": teams[ns]}},
			Spec: networkingv1.IngressSpec{IngressClassName: ptr("nginx"),
				TLS: []networkingv1.IngressTLS{{Hosts: []string{host}, SecretName: secret}},
				Rules: []networkingv1.IngressRule{{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{
					HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}}}}},
		}
	}
	return []*networkingv1.Ingress{
		ing("shop", "storefront", "shop.example.com", "shop-tls", path("/", "web", 80), path("/cart", "cart", 80), path("/api/catalog", "catalog", 80)),
		ing("payments", "payments-api", "api.payments.example.com", "payments-tls", path("/", "payments-api", 443)),
		ing("monitoring", "grafana", "grafana.example.com", "grafana-tls", path("/", "grafana", 3000)),
	}
}

// volumes: prometheus's data on a volume bound by name (the testbed has no provisioner;
// its PV controller binds the pair), and a claim for loki that no volume satisfies, so it
// stays Pending.
func volumes() ([]*corev1.PersistentVolume, []*corev1.PersistentVolumeClaim) {
	rwo := []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "prometheus-data", Labels: map[string]string{"team": teams["monitoring"]}},
		Spec: corev1.PersistentVolumeSpec{Capacity: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("20Gi")},
			AccessModes: rwo, PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain, StorageClassName: "manual",
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/lib/prometheus"}}},
	}
	claim := func(name, class, volume, size string) *corev1.PersistentVolumeClaim {
		return &corev1.PersistentVolumeClaim{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "monitoring", Labels: map[string]string{"team": teams["monitoring"]}},
			Spec: corev1.PersistentVolumeClaimSpec{AccessModes: rwo, StorageClassName: ptr(class), VolumeName: volume,
				Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}}},
		}
	}
	return []*corev1.PersistentVolume{pv}, []*corev1.PersistentVolumeClaim{
		claim("prometheus-data", "manual", "prometheus-data", "20Gi"),
		claim("loki-data", "fast", "", "50Gi"),
	}
}

// hpaTargets lists the Deployments hpas scales, as namespace/name.
var hpaTargets = map[string]bool{"shop/cart": true, "shop/search": true, "platform/notifications": true}

// hpas: cart scales up one pod every 90 s (its pods use 150% of their CPU request against a
// 60% target), search is pinned at its maximum, and notifications has no CPU request, so
// its CPU utilization cannot be computed.
func hpas() []*autoscalingv2.HorizontalPodAutoscaler {
	cpu := func(ns, name string, min, max, target int32) *autoscalingv2.HorizontalPodAutoscaler {
		return &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"team": teams[ns]}},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
				MinReplicas:    ptr(min),
				MaxReplicas:    max,
				Metrics: []autoscalingv2.MetricSpec{{
					Type: autoscalingv2.ResourceMetricSourceType,
					Resource: &autoscalingv2.ResourceMetricSource{
						Name:   corev1.ResourceCPU,
						Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(target)},
					},
				}},
			},
		}
	}
	cart := cpu("shop", "cart", 2, 12, 60)
	cart.Spec.Behavior = &autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{
			StabilizationWindowSeconds: ptr(int32(0)),
			Policies:                   []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy, Value: 1, PeriodSeconds: 90}},
		},
	}
	return []*autoscalingv2.HorizontalPodAutoscaler{
		cart,
		cpu("shop", "search", 1, 3, 70),
		cpu("platform", "notifications", 2, 6, 75),
	}
}

// secrets: Opaque ones with a few keys and a registry credential per namespace. The TLS
// secret is made by tlsSecret.
func secrets() []*corev1.Secret {
	opaque := func(ns, name string, data map[string]string) *corev1.Secret {
		return &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"team": teams[ns]}},
			Type:       corev1.SecretTypeOpaque,
			StringData: data,
		}
	}
	out := []*corev1.Secret{
		opaque("shop", "web-session", map[string]string{"session-key": "b3f1c0d2a9e84f67", "csrf-secret": "9c1e5a77d0b24e3f"}),
		opaque("payments", "payments-db", map[string]string{
			"host": "payments-db.internal.example.com", "port": "5432", "database": "payments",
			"username": "payments_app", "password": "correct-horse-battery-staple",
		}),
		opaque("payments", "psp-api", map[string]string{
			"publishable-key": "pk_live_51Hx2kLbExample", "secret-key": "sk_live_51Hx2kLbExampleSecret", "webhook-secret": "whsec_3c9d0e1f",
		}),
		opaque("platform", "gateway-oidc", map[string]string{
			"client-id": "api-gateway", "client-secret": "4f7a9b2c-5d6e-4f80-9a1b-2c3d4e5f6a7b", "issuer-url": "https://sso.example.com/realms/staff",
		}),
		opaque("monitoring", "grafana-admin", map[string]string{"admin-user": "admin", "admin-password": "grafana-demo-only"}),
	}
	for _, ns := range namespaceNames {
		out = append(out, dockerConfigSecret(ns, "regcred", registry, "ci-bot", "s3cr3t-pull-token"))
	}
	return out
}

// dockerConfigSecret builds a kubernetes.io/dockerconfigjson secret for one registry.
func dockerConfigSecret(ns, name, server, user, password string) *corev1.Secret {
	cfg, _ := json.Marshal(map[string]any{"auths": map[string]any{server: map[string]string{
		"username": user, "password": password,
		"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + password)),
	}}})
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"team": teams[ns]}},
		Type:       corev1.SecretTypeDockerConfigJson,
		Data:       map[string][]byte{corev1.DockerConfigJsonKey: cfg},
	}
}

// tlsSecret builds a kubernetes.io/tls secret holding a fresh self-signed ECDSA certificate
// for cn and sans that was issued 70 days ago and expires after validFor from now, like a
// 90-day ACME certificate nobody renewed.
func tlsSecret(ns, name, cn string, sans []string, validFor time.Duration) (*corev1.Secret, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName: cn, Organization: []string{"Example Shop Ltd"}, OrganizationalUnit: []string{"Payments"},
			Country: []string{"DE"}, Locality: []string{"Berlin"},
		},
		DNSNames:              sans,
		NotBefore:             now.Add(-70 * 24 * time.Hour),
		NotAfter:              now.Add(validFor),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"team": teams[ns]}},
		Type:       corev1.SecretTypeTLS,
		Data: map[string][]byte{
			corev1.TLSCertKey:       pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			corev1.TLSPrivateKeyKey: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		},
	}, nil
}

// configMaps: a little configuration so the namespaces do not look empty of it.
func configMaps() []*corev1.ConfigMap {
	cm := func(ns, name string, data map[string]string) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"team": teams[ns]}}, Data: data}
	}
	return []*corev1.ConfigMap{
		cm("shop", "web-config", map[string]string{
			"FEATURE_NEW_CHECKOUT": "true", "FEATURE_RECOMMENDATIONS": "false", "CDN_BASE_URL": "https://cdn.example.com/shop",
		}),
		cm("platform", "gateway-routes", map[string]string{"routes.yaml": "routes:\n  - prefix: /shop\n    service: web.shop\n  - prefix: /pay\n    service: payments-api.payments\n"}),
		cm("monitoring", "prometheus-config", map[string]string{"prometheus.yml": "global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: kubernetes-pods\n    kubernetes_sd_configs:\n      - role: pod\n"}),
	}
}

// jobTemplate is a's pod template run to completion once, for jobs and cron jobs.
func jobTemplate(a app) corev1.PodTemplateSpec {
	t := deployment(a).Spec.Template
	t.Spec.RestartPolicy = corev1.RestartPolicyNever
	t.Spec.Containers[0].Ports = nil
	return t
}

// cronJobs: a nightly report in Paris time, a backup every six hours (it runs while a demo
// is up) and a suspended cleanup.
func cronJobs() []*batchv1.CronJob {
	cron := func(a app, schedule string) *batchv1.CronJob {
		return &batchv1.CronJob{
			ObjectMeta: metav1.ObjectMeta{Name: a.name, Namespace: a.ns, Labels: map[string]string{"team": teams[a.ns]}},
			Spec: batchv1.CronJobSpec{Schedule: schedule, JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"team": teams[a.ns]}},
				Spec:       batchv1.JobSpec{BackoffLimit: ptr(int32(2)), Template: jobTemplate(a)}}},
		}
	}
	report := cron(app{ns: "platform", name: "nightly-report", image: "platform/report-builder:0.4.2",
		cpu: "100m", mem: "128Mi", useCPU: "80m", useMem: "100Mi"}, "30 2 * * *")
	report.Spec.TimeZone = ptr("Europe/Paris")
	cleanup := cron(app{ns: "shop", name: "cleanup-carts", image: "shop/cart:3.2.1",
		cpu: "50m", mem: "64Mi", useCPU: "20m", useMem: "40Mi"}, "*/15 * * * *")
	cleanup.Spec.Suspend = ptr(true)
	return []*batchv1.CronJob{
		report,
		cron(app{ns: "monitoring", name: "backup-prometheus", image: "monitoring/backup:1.2.0",
			cpu: "100m", mem: "64Mi", useCPU: "40m", useMem: "50Mi"}, "0 */6 * * *"),
		cleanup,
	}
}

// budgets: ledger's disruption budget lets none of its pods go, so draining a node that runs
// one is blocked (the drain page shows the budget's reason) until the budget is relaxed;
// payments-api's lets one go at a time.
func budgets() []*policyv1.PodDisruptionBudget {
	pdb := func(ns, name string, maxUnavailable int32) *policyv1.PodDisruptionBudget {
		return &policyv1.PodDisruptionBudget{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: map[string]string{"team": teams[ns]}},
			Spec: policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr(intstr.FromInt32(maxUnavailable)),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}},
		}
	}
	return []*policyv1.PodDisruptionBudget{pdb("payments", "ledger", 0), pdb("payments", "payments-api", 1)}
}

// jobs: a migration kwok runs to completion and a suspended reindex of four pods.
func jobs() []*batchv1.Job {
	job := func(a app, completions int32) *batchv1.Job {
		return &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Name: a.name, Namespace: a.ns, Labels: map[string]string{"team": teams[a.ns]}},
			Spec: batchv1.JobSpec{Completions: ptr(completions), Parallelism: ptr(int32(2)), BackoffLimit: ptr(int32(2)),
				Template: jobTemplate(a)},
		}
	}
	reindex := job(app{ns: "shop", name: "reindex-catalog", image: "shop/search:0.19.4", cpu: "200m", mem: "256Mi", useCPU: "150m", useMem: "200Mi"}, 4)
	reindex.Spec.Suspend = ptr(true)
	return []*batchv1.Job{
		job(app{ns: "shop", name: "db-migrate-42", image: "shop/migrate:42", cpu: "100m", mem: "128Mi", useCPU: "60m", useMem: "80Mi"}, 1),
		reindex,
	}
}

// daemonSets: a node exporter on every emulated node.
func daemonSets() []*appsv1.DaemonSet {
	d := deployment(app{ns: "monitoring", name: "node-exporter", image: "monitoring/node-exporter:v1.9.1", port: 9100,
		cpu: "50m", mem: "32Mi", useCPU: "12m", useMem: "22Mi"})
	return []*appsv1.DaemonSet{{ObjectMeta: d.ObjectMeta,
		Spec: appsv1.DaemonSetSpec{Selector: d.Spec.Selector, Template: d.Spec.Template}}}
}

// statefulSets: a three-node redis whose updates stop at ordinal 1 (partition 1), so a
// restart shows a partitioned rollout.
func statefulSets() []*appsv1.StatefulSet {
	d := deployment(app{ns: "shop", name: "redis", image: "shop/redis:8.0.3", replicas: 3, port: 6379,
		cpu: "100m", mem: "256Mi", useCPU: "35m", useMem: "180Mi"})
	return []*appsv1.StatefulSet{{ObjectMeta: d.ObjectMeta,
		Spec: appsv1.StatefulSetSpec{Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Template: d.Spec.Template,
			UpdateStrategy: appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateStatefulSetStrategy{Partition: ptr(int32(1))}}}}}
}

func ptr[T any](v T) *T { return &v }
