package kube

import (
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// PVC is the compact row kdeck keeps per PersistentVolumeClaim, with the pods that mount
// it joined in (see JoinClaimUsers).
type PVC struct {
	Namespace    string
	Name         string
	Status       string // Bound, Pending, Lost; Terminating while deleted, like kubectl
	Volume       string // spec.volumeName
	Capacity     string // status.capacity's storage ("" until bound)
	AccessModes  string // "RWO,RWX", like kubectl
	StorageClass string
	Created      time.Time
	// UsedBy are the names of the pods of the claim's namespace whose volumes name it,
	// sorted; Joined is false until the pods have been fully listed.
	UsedBy []string
	Joined bool
}

// RowKey implements Row.
func (p *PVC) RowKey() Key { return Key{Namespace: p.Namespace, Name: p.Name} }

// PVCSource returns the Source for the claims in ns ("" for all namespaces).
func (c *Client) PVCSource(ns string) Source[*PVC] {
	api := c.Clientset.CoreV1().PersistentVolumeClaims(ns)
	return TypedSource("persistentvolumeclaims", ns, "", api.List, api.Watch,
		func(l *corev1.PersistentVolumeClaimList) []corev1.PersistentVolumeClaim { return l.Items }, PVCRow)
}

// PVCCache returns the claims of ns matching the label selector and the field selector
// ("" for all; "metadata.name=data" for one claim) joined with the pods of ns that mount
// them.
func (c *Client) PVCCache(ns, selector, fieldSelector string) *Joined[*PVC, *PodClaims] {
	src := c.PVCSource(ns)
	src.Selector = selector
	if fieldSelector != "" {
		src.List, src.Watch = FieldSelected(fieldSelector, src.List, src.Watch)
	}
	return NewJoinedLoaded(src, c.PodClaimsSource(ns), JoinClaimUsers).Optional()
}

// PVCRow summarises p the way `kubectl get pvc` does.
func PVCRow(p *corev1.PersistentVolumeClaim) *PVC {
	r := &PVC{Namespace: p.Namespace, Name: p.Name, Status: string(p.Status.Phase), Volume: p.Spec.VolumeName,
		AccessModes: accessModes(p.Status.AccessModes), StorageClass: storageClass(ptr.Deref(p.Spec.StorageClassName, ""), p.Annotations),
		Created: p.CreationTimestamp.Time}
	if p.DeletionTimestamp != nil {
		r.Status = "Terminating"
	}
	if q, ok := p.Status.Capacity[corev1.ResourceStorage]; ok {
		r.Capacity = q.String()
	}
	return r
}

// PV is the compact row kdeck keeps per PersistentVolume.
type PV struct {
	Name           string
	Capacity       string
	AccessModes    string // "RWO,RWX", like kubectl
	ReclaimPolicy  string
	Status         string // Available, Bound, Released, Failed; Terminating while deleted
	ClaimNamespace string // the claim it is bound or reserved to; "" when none
	ClaimName      string
	StorageClass   string
	Reason         string
	Created        time.Time
}

// RowKey implements Row.
func (p *PV) RowKey() Key { return Key{Name: p.Name} }

// Claim is the CLAIM column: "ns/name", or "" when the volume names no claim.
func (p *PV) Claim() string {
	if p.ClaimName == "" {
		return ""
	}
	return p.ClaimNamespace + "/" + p.ClaimName
}

// PVSource returns the Source for every PersistentVolume.
func (c *Client) PVSource() Source[*PV] {
	api := c.Clientset.CoreV1().PersistentVolumes()
	return TypedSource("persistentvolumes", "", "", api.List, api.Watch,
		func(l *corev1.PersistentVolumeList) []corev1.PersistentVolume { return l.Items }, PVRow)
}

// PVRow summarises v the way `kubectl get pv` does.
func PVRow(v *corev1.PersistentVolume) *PV {
	r := &PV{Name: v.Name, AccessModes: accessModes(v.Spec.AccessModes), ReclaimPolicy: string(v.Spec.PersistentVolumeReclaimPolicy),
		Status: string(v.Status.Phase), StorageClass: storageClass(v.Spec.StorageClassName, v.Annotations),
		Reason: v.Status.Reason, Created: v.CreationTimestamp.Time}
	if v.DeletionTimestamp != nil {
		r.Status = "Terminating"
	}
	if q, ok := v.Spec.Capacity[corev1.ResourceStorage]; ok {
		r.Capacity = q.String()
	}
	if ref := v.Spec.ClaimRef; ref != nil {
		r.ClaimNamespace, r.ClaimName = ref.Namespace, ref.Name
	}
	return r
}

// accessModes abbreviates modes as kubectl does, in its order, each once.
func accessModes(modes []corev1.PersistentVolumeAccessMode) string {
	var out []string
	for _, m := range []struct {
		mode  corev1.PersistentVolumeAccessMode
		short string
	}{{corev1.ReadWriteOnce, "RWO"}, {corev1.ReadOnlyMany, "ROX"}, {corev1.ReadWriteMany, "RWX"}, {corev1.ReadWriteOncePod, "RWOP"}} {
		if slices.Contains(modes, m.mode) {
			out = append(out, m.short)
		}
	}
	return strings.Join(out, ",")
}

// storageClass is the class a claim or volume names, or the beta annotation older ones
// carry.
func storageClass(name string, annotations map[string]string) string {
	if name != "" {
		return name
	}
	return annotations[corev1.BetaStorageClassAnnotation]
}

// PodClaims is the small row kdeck keeps per pod that mounts claims: the claims' names,
// no more. The compact Pod row does not carry volumes; this one carries nothing else.
type PodClaims struct {
	Namespace string
	Name      string
	Claims    []string // sorted
}

// RowKey implements Row.
func (p *PodClaims) RowKey() Key { return Key{Namespace: p.Namespace, Name: p.Name} }

// Equal reports whether o names the same pod and claims: a pod's volumes never change,
// so its status updates are dropped without waking the view.
func (p *PodClaims) Equal(o *PodClaims) bool {
	return p.Namespace == o.Namespace && p.Name == o.Name && slices.Equal(p.Claims, o.Claims)
}

// PodClaimsSource returns the Source of the pods in ns that mount a claim. Each pod is
// decoded whole (volumes are not in the compact Pod row) and only its claims kept; pods
// without one are skipped.
func (c *Client) PodClaimsSource(ns string) Source[*PodClaims] {
	api := c.Clientset.CoreV1().Pods(ns)
	src := TypedSource("pods", ns, "", api.List, api.Watch,
		func(l *corev1.PodList) []corev1.Pod { return l.Items }, PodClaimsRow)
	src.Convert = withClaims(src.Convert)
	return src
}

// withClaims keeps convert's rows of pods that mount a claim.
func withClaims(convert func(runtime.Object) (*PodClaims, bool)) func(runtime.Object) (*PodClaims, bool) {
	return func(obj runtime.Object) (*PodClaims, bool) {
		r, ok := convert(obj)
		return r, ok && len(r.Claims) > 0
	}
}

// PodClaimsRow lists the claims p's volumes name: a persistentVolumeClaim volume's claim,
// and the claim of a generic ephemeral volume (named POD-VOLUME).
func PodClaimsRow(p *corev1.Pod) *PodClaims {
	r := &PodClaims{Namespace: p.Namespace, Name: p.Name}
	for _, v := range p.Spec.Volumes {
		switch {
		case v.PersistentVolumeClaim != nil:
			r.Claims = append(r.Claims, v.PersistentVolumeClaim.ClaimName)
		case v.Ephemeral != nil:
			r.Claims = append(r.Claims, p.Name+"-"+v.Name)
		}
	}
	slices.Sort(r.Claims)
	r.Claims = slices.Compact(r.Claims)
	return r
}

// JoinClaimUsers returns claims with UsedBy set from pods (the pods that mount claims, in
// key order); loaded says the pods have been fully listed. Rows that change are copied,
// never modified.
func JoinClaimUsers(claims []*PVC, pods []*PodClaims, loaded bool) []*PVC {
	users := map[Key][]string{}
	for _, p := range pods {
		for _, c := range p.Claims {
			k := Key{Namespace: p.Namespace, Name: c}
			users[k] = append(users[k], p.Name)
		}
	}
	out := make([]*PVC, len(claims))
	for i, c := range claims {
		out[i] = c
		used := users[c.RowKey()]
		if c.Joined == loaded && slices.Equal(c.UsedBy, used) {
			continue
		}
		joined := *c
		joined.UsedBy, joined.Joined = used, loaded
		out[i] = &joined
	}
	return out
}

// ClaimPodsCache returns the pods of ns that mount claim, kept current: the namespace's
// pod rows filtered by the claims of PodClaimsSource.
func (c *Client) ClaimPodsCache(ns, claim string) *Joined[*Pod, *PodClaims] {
	return NewJoined(PodSource(c.PodRows(), ns), c.PodClaimsSource(ns), func(pods []*Pod, users []*PodClaims) []*Pod {
		return PodsMounting(pods, users, Key{Namespace: ns, Name: claim})
	})
}

// PodsMounting returns the pods (in key order) that users (in key order) says mount claim.
func PodsMounting(pods []*Pod, users []*PodClaims, claim Key) []*Pod {
	var out []*Pod
	j := 0
	for _, p := range pods {
		k := p.RowKey()
		if k.Namespace != claim.Namespace {
			continue
		}
		for j < len(users) && users[j].RowKey().Compare(k) < 0 {
			j++
		}
		if j < len(users) && users[j].RowKey() == k && slices.Contains(users[j].Claims, claim.Name) {
			out = append(out, p)
		}
	}
	return out
}

// ClaimFields is the field selector of one claim's row (the PVC view narrowed to it).
func ClaimFields(name string) string {
	return fields.OneTermEqualSelector("metadata.name", name).String()
}
