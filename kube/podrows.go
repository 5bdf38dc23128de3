package kube

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
)

// PodRowsClient returns a pods client whose watch events carry pod rows rather than Pods:
// each protobuf Pod is read straight into a row, without building the Pod.
//
// A Pod is mostly what a row never shows (managed fields, labels, environment, probes,
// volumes), and the generated decoder allocates a kilobyte-sized struct per container on
// top. When 50,000 pods stream in, that decode and the garbage it leaves are most of the
// client's work. Lists, gets and everything that is not a Pod watch event decode as usual.
func PodRowsClient(cfg *rest.Config, hc *http.Client) (corev1client.PodsGetter, error) {
	c := rest.CopyConfig(cfg)
	c.GroupVersion = &corev1.SchemeGroupVersion
	c.APIPath = "/api"
	c.NegotiatedSerializer = podRowCodecs{scheme.Codecs.WithoutConversion()}
	rc, err := rest.RESTClientForConfigAndClient(c, hc)
	if err != nil {
		return nil, err
	}
	return corev1client.New(rc), nil
}

// podRowCodecs is the client's serializer set with the protobuf decoder wrapped by
// podRowDecoder.
type podRowCodecs struct{ runtime.NegotiatedSerializer }

// SupportedMediaTypes implements runtime.NegotiatedSerializer.
func (c podRowCodecs) SupportedMediaTypes() []runtime.SerializerInfo {
	infos := slices.Clone(c.NegotiatedSerializer.SupportedMediaTypes())
	for i := range infos {
		if infos[i].MediaType == runtime.ContentTypeProtobuf {
			infos[i].Serializer = podRowDecoder{infos[i].Serializer}
		}
	}
	return infos
}

// podRowDecoder decodes a protobuf Pod into a podRowObject when no target object is given
// (as for the objects of watch events). Bookmarks (Pods without a name), other kinds and
// decodes into a given object go to the protobuf serializer.
type podRowDecoder struct{ runtime.Serializer }

// Decode implements runtime.Decoder.
func (d podRowDecoder) Decode(data []byte, gvk *schema.GroupVersionKind, into runtime.Object) (runtime.Object, *schema.GroupVersionKind, error) {
	if into == nil {
		if pod, ok := envelopedPod(data); ok {
			f, err := decodePodFacts(pod)
			if err != nil {
				return nil, nil, fmt.Errorf("decoding a Pod: %w", err)
			}
			if f.name != "" {
				return newPodRowObject(&f), &schema.GroupVersionKind{Version: "v1", Kind: "Pod"}, nil
			}
		}
	}
	return d.Serializer.Decode(data, gvk, into)
}

// podRowObject is a Pod summarised as its row, with the metadata a store reads of a watch
// event's object (namespace, name, resource version).
type podRowObject struct {
	metav1.TypeMeta
	metav1.ObjectMeta
	row *Pod
}

func newPodRowObject(f *podFacts) *podRowObject {
	return &podRowObject{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Namespace: f.namespace, Name: f.name, ResourceVersion: f.resourceVersion},
		row:        f.row(),
	}
}

// DeepCopyObject implements runtime.Object; the row is immutable and shared.
func (o *podRowObject) DeepCopyObject() runtime.Object {
	c := *o
	o.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	return &c
}

// envelopedPod returns the encoded Pod inside data, a protobuf-encoded object (the magic
// prefix, then a runtime.Unknown); ok is false for any other kind or a damaged envelope.
func envelopedPod(data []byte) (pod []byte, ok bool) {
	unknown, found := bytes.CutPrefix(data, protobufMagic)
	if !found {
		return nil, false
	}
	typeMeta, raw, err := bytesPair(unknown, 1, 2)
	if err != nil {
		return nil, false
	}
	if encoding, _, _ := bytesPair(unknown, 3, 0); len(encoding) > 0 {
		return nil, false // a content encoding: left to the serializer
	}
	apiVersion, kind, err := bytesPair(typeMeta, 1, 2)
	if err != nil || string(apiVersion) != "v1" || string(kind) != "Pod" {
		return nil, false
	}
	return raw, true
}

// decodePodFacts reads the fields a row needs from an encoded Pod.
func decodePodFacts(pod []byte) (podFacts, error) {
	var f podFacts
	err := eachField(pod, func(fl protoField) error {
		switch fl.num {
		case 1: // metadata
			return f.decodeMetadata(fl.bytes)
		case 2: // spec
			return f.decodeSpec(fl.bytes)
		case 3: // status
			return f.decodeStatus(fl.bytes)
		}
		return nil
	})
	return f, err
}

func (f *podFacts) decodeMetadata(b []byte) error {
	return eachField(b, func(fl protoField) error {
		var err error
		switch fl.num {
		case 1:
			f.name = string(fl.bytes)
		case 3:
			f.namespace = string(fl.bytes)
		case 6:
			f.resourceVersion = string(fl.bytes)
		case 8:
			f.created, err = decodeTime(fl.bytes)
		case 9:
			f.deleting = true
			f.deleted, err = decodeTime(fl.bytes)
		}
		return err
	})
}

func (f *podFacts) decodeSpec(b []byte) error {
	return eachField(b, func(fl protoField) error {
		switch fl.num {
		case 2: // containers
			var res ReqLim
			err := eachField(fl.bytes, func(c protoField) error {
				var err error
				if c.num == 8 {
					res, err = decodeResources(c.bytes)
				}
				return err
			})
			f.containers = append(f.containers, res)
			return err
		case 20: // initContainers
			var c initFacts
			err := eachField(fl.bytes, func(fc protoField) error {
				var err error
				switch fc.num {
				case 1:
					c.name = string(fc.bytes)
				case 8:
					c.res, err = decodeResources(fc.bytes)
				case 24:
					c.sidecar = string(fc.bytes) == string(corev1.ContainerRestartPolicyAlways)
				}
				return err
			})
			f.initContainers = append(f.initContainers, c)
			return err
		case 10:
			f.node = string(fl.bytes)
		case 40: // pod-level resources
			r, err := decodeResources(fl.bytes)
			f.podResources = &r
			return err
		}
		return nil
	})
}

func (f *podFacts) decodeStatus(b []byte) error {
	sawReady := false // the first PodReady condition counts, as in PodRow
	return eachField(b, func(fl protoField) error {
		switch fl.num {
		case 1:
			f.phase = internBytes(fl.bytes)
		case 2: // conditions
			condType, status, err := bytesPair(fl.bytes, 1, 2)
			switch {
			case err != nil:
			case string(condType) == string(corev1.PodReady) && !sawReady:
				f.readyCondition, sawReady = string(status) == string(corev1.ConditionTrue), true
			case string(condType) == string(corev1.PodScheduled) && string(status) == string(corev1.ConditionFalse):
				var message []byte
				message, _, err = bytesPair(fl.bytes, 6, 0)
				f.unscheduled = string(message)
			}
			return err
		case 4:
			f.reason = internBytes(fl.bytes)
		case 6:
			f.ip = string(fl.bytes)
		case 8, 10: // containerStatuses, initContainerStatuses
			s, err := decodeContainerStatus(fl.bytes, fl.num == 10)
			if fl.num == 8 {
				f.statuses = append(f.statuses, s)
			} else {
				f.initStatuses = append(f.initStatuses, s)
			}
			return err
		}
		return nil
	})
}

// decodeContainerStatus reads a ContainerStatus; the name is only kept when withName is set
// (init containers, which are matched to their spec by name).
func decodeContainerStatus(b []byte, withName bool) (statusFacts, error) {
	var s statusFacts
	err := eachField(b, func(fl protoField) error {
		var err error
		switch fl.num {
		case 1:
			if withName {
				s.name = string(fl.bytes)
			}
		case 2:
			s.state, err = decodeState(fl.bytes)
		case 3: // lastState: only when its termination ended
			var last stateFacts
			last, err = decodeState(fl.bytes)
			s.lastFinished, s.lastReason = last.finished, last.terminatedReason
		case 4:
			s.ready = fl.varint != 0
		case 5:
			s.restarts = int32(fl.varint)
		case 9:
			s.started = fl.varint != 0
		}
		return err
	})
	return s, err
}

func decodeState(b []byte) (stateFacts, error) {
	var st stateFacts
	err := eachField(b, func(fl protoField) error {
		switch fl.num {
		case 1: // waiting
			st.waiting = true
			return eachField(fl.bytes, func(w protoField) error {
				if w.num == 1 {
					st.waitingReason = internBytes(w.bytes)
				}
				return nil
			})
		case 2: // running
			st.running = true
		case 3: // terminated
			st.terminated = true
			return eachField(fl.bytes, func(t protoField) error {
				var err error
				switch t.num {
				case 1:
					st.exitCode = int32(t.varint)
				case 2:
					st.signal = int32(t.varint)
				case 3:
					st.terminatedReason = internBytes(t.bytes)
				case 6:
					st.finished, err = decodeTime(t.bytes)
				}
				return err
			})
		}
		return nil
	})
	return st, err
}

// decodeResources reads the CPU and memory of a ResourceRequirements (limits 1, requests 2,
// both maps of resource name to Quantity).
func decodeResources(b []byte) (ReqLim, error) {
	var r ReqLim
	err := eachField(b, func(fl protoField) error {
		if fl.num != 1 && fl.num != 2 {
			return nil
		}
		name, value, err := quantityEntry(fl.bytes)
		if err != nil || (string(name) != string(corev1.ResourceCPU) && string(name) != string(corev1.ResourceMemory)) {
			return err
		}
		q, err := resource.ParseQuantity(string(value))
		if err != nil {
			return fmt.Errorf("%s quantity %q: %w", name, value, err)
		}
		switch {
		case fl.num == 1 && string(name) == string(corev1.ResourceCPU):
			r.CPULim = q.MilliValue()
		case fl.num == 1:
			r.MemLim = q.Value()
		case string(name) == string(corev1.ResourceCPU):
			r.CPUReq = q.MilliValue()
		default:
			r.MemReq = q.Value()
		}
		return nil
	})
	return r.defaulted(), err
}

// decodeTime reads a meta/v1 Time (seconds 1, nanos 2) as its own decoder does: seconds
// only, in local time, and an empty message as the zero time.
func decodeTime(b []byte) (time.Time, error) {
	if len(b) == 0 {
		return time.Time{}, nil
	}
	var sec int64
	err := eachField(b, func(fl protoField) error {
		if fl.num == 1 {
			sec = int64(fl.varint)
		}
		return nil
	})
	return time.Unix(sec, 0).Local(), err
}

// internBytes returns b as a string, shared when it is one of the common statuses.
func internBytes(b []byte) string {
	if s, ok := commonStatuses[string(b)]; ok {
		return s
	}
	return string(b)
}
