package kube

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
	"k8s.io/apimachinery/pkg/api/resource"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

// PodSample is one pod's usage as one poll reported it: all the poller keeps of a PodMetrics.
type PodSample struct {
	Key        Key
	Containers []ContainerSample
}

// ContainerSample is one container's usage in a PodSample.
type ContainerSample struct {
	Name   string
	Sample Sample
}

// PodSamples keeps what the poller needs of decoded PodMetrics.
func PodSamples(items []metricsv1beta1.PodMetrics) []PodSample {
	out := make([]PodSample, len(items))
	for i := range items {
		pm := &items[i]
		s := PodSample{Key: Key{Namespace: pm.Namespace, Name: pm.Name}, Containers: make([]ContainerSample, len(pm.Containers))}
		for j, c := range pm.Containers {
			s.Containers[j] = ContainerSample{Name: c.Name, Sample: sampleOf(c.Usage)}
		}
		out[i] = s
	}
	return out
}

// maxPodMetricsItem bounds one PodMetrics in an answer; real ones are under a kilobyte.
const maxPodMetricsItem = 4 << 20

// decodePodMetrics reads a PodMetricsList answer and keeps only names and usage.
//
// metrics-server copies every pod's labels into its PodMetrics, so decoding whole objects
// costs tens of megabytes per poll on a big cluster for data kdeck drops at once. A protobuf
// answer is therefore read as a stream, one item at a time, pulling out the few fields kept;
// a JSON answer (a metrics API that does not speak protobuf) is decoded whole.
func decodePodMetrics(r io.Reader) ([]PodSample, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(len(protobufMagic))
	if len(head) == 0 {
		return nil, fmt.Errorf("empty PodMetrics answer: %w", err)
	}
	if !bytes.Equal(head, protobufMagic) {
		var list metricsv1beta1.PodMetricsList
		if err := json.NewDecoder(br).Decode(&list); err != nil {
			return nil, fmt.Errorf("decoding PodMetrics (JSON): %w", err)
		}
		return PodSamples(list.Items), nil
	}
	_, _ = br.Discard(len(protobufMagic))
	d := metricsDecoder{intern: map[string]string{}}
	// runtime.Unknown: field 2 (raw) holds the PodMetricsList
	err = streamFields(br, -1, func(num protowire.Number, n int64) error {
		if num != 2 {
			return discard(br, n)
		}
		// PodMetricsList: field 2 (items) repeats one PodMetrics each
		return streamFields(br, n, func(num protowire.Number, n int64) error {
			if num != 2 {
				return discard(br, n)
			}
			if n > maxPodMetricsItem {
				return fmt.Errorf("a PodMetrics of %d bytes", n)
			}
			if int64(cap(d.buf)) < n {
				d.buf = make([]byte, n)
			}
			item := d.buf[:n]
			if _, err := io.ReadFull(br, item); err != nil {
				return err
			}
			return d.item(item)
		})
	})
	if err != nil {
		return nil, fmt.Errorf("decoding PodMetrics (protobuf): %w", err)
	}
	return d.out, nil
}

// streamFields reads the length-delimited fields of a message from br, limit bytes long
// (-1: up to the end of the stream), and hands each one's number and length to fn, which
// must consume exactly that many bytes. Fields of other wire types are skipped.
func streamFields(br *bufio.Reader, limit int64, fn func(num protowire.Number, n int64) error) error {
	cr := &countingReader{br: br}
	for limit < 0 || cr.n < limit {
		tag, err := binary.ReadUvarint(cr)
		if err == io.EOF && limit < 0 {
			return nil
		}
		if err != nil {
			return unexpected(err)
		}
		num, typ := protowire.DecodeTag(tag)
		var n int64
		switch typ {
		case protowire.BytesType:
			l, err := binary.ReadUvarint(cr)
			if err != nil {
				return unexpected(err)
			}
			if limit >= 0 && int64(l) > limit-cr.n {
				return errors.New("a field runs past its message")
			}
			if err := fn(num, int64(l)); err != nil {
				return unexpected(err)
			}
			cr.n += int64(l)
			continue
		case protowire.VarintType:
			_, err = binary.ReadUvarint(cr)
		case protowire.Fixed32Type:
			n = 4
		case protowire.Fixed64Type:
			n = 8
		default:
			return fmt.Errorf("unexpected wire type %d", typ)
		}
		if err == nil && n > 0 {
			err = discard(br, n)
			cr.n += n
		}
		if err != nil {
			return unexpected(err)
		}
	}
	if cr.n != limit {
		return errors.New("a field runs past its message")
	}
	return nil
}

// countingReader counts the bytes ReadUvarint takes from br.
type countingReader struct {
	br *bufio.Reader
	n  int64
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.br.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

func discard(br *bufio.Reader, n int64) error {
	_, err := br.Discard(int(n))
	return err
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// metricsDecoder collects samples from PodMetrics items; it interns namespaces and
// container names, which repeat across pods.
type metricsDecoder struct {
	buf    []byte
	intern map[string]string
	out    []PodSample
}

func (d *metricsDecoder) str(b []byte) string {
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	d.intern[s] = s
	return s
}

// item reads one PodMetrics: metadata (1: name 1, namespace 3) and containers (4: name 1,
// usage 2 as map entries of key 1 and Quantity 2, whose field 1 is its string).
func (d *metricsDecoder) item(b []byte) error {
	var s PodSample
	err := eachField(b, func(f protoField) error {
		switch f.num {
		case 1:
			name, namespace, err := bytesPair(f.bytes, 1, 3)
			s.Key.Name, s.Key.Namespace = string(name), d.str(namespace)
			return err
		case 4:
			c, err := d.container(f.bytes)
			s.Containers = append(s.Containers, c)
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	d.out = append(d.out, s)
	return nil
}

func (d *metricsDecoder) container(b []byte) (ContainerSample, error) {
	var c ContainerSample
	err := eachField(b, func(f protoField) error {
		switch f.num {
		case 1:
			c.Name = d.str(f.bytes)
		case 2:
			name, quantity, err := quantityEntry(f.bytes)
			if err != nil || quantity == nil {
				return err
			}
			q, err := resource.ParseQuantity(string(quantity))
			if err != nil {
				return fmt.Errorf("usage %s: %w", name, err)
			}
			switch string(name) {
			case "cpu":
				c.Sample.CPU = cpuMillis(q)
			case "memory":
				c.Sample.MemKi = memKi(q)
			}
		}
		return nil
	})
	return c, err
}
