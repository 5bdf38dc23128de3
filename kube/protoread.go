package kube

import "google.golang.org/protobuf/encoding/protowire"

// Reading protobuf messages in place, for the decoders that keep only a few fields of large
// answers (metricsdecode.go, podrows.go). Field numbers are those of the generated.proto
// files of k8s.io/api and k8s.io/apimachinery.

// protobufMagic starts every protobuf-encoded Kubernetes object (runtime.Unknown follows).
var protobufMagic = []byte("k8s\x00")

// bytesPair returns the values of the length-delimited fields a and b of msg (the last of
// each, as protobuf reads a repeated scalar; nil when absent).
func bytesPair(msg []byte, a, b protowire.Number) (va, vb []byte, err error) {
	err = eachField(msg, func(f protoField) error {
		switch f.num {
		case a:
			va = f.bytes
		case b:
			vb = f.bytes
		}
		return nil
	})
	return va, vb, err
}

// protoField is one field of an encoded message: its value as bytes for length-delimited
// fields, as a number for varints.
type protoField struct {
	num    protowire.Number
	bytes  []byte
	varint uint64
}

// eachField calls fn with every field of the encoded message msg, in order.
func eachField(msg []byte, fn func(protoField) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		f := protoField{num: num}
		switch typ {
		case protowire.BytesType:
			f.bytes, n = protowire.ConsumeBytes(msg)
		case protowire.VarintType:
			f.varint, n = protowire.ConsumeVarint(msg)
		default:
			n = protowire.ConsumeFieldValue(num, typ, msg)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		msg = msg[n:]
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// quantityEntry reads one entry of a map of resource name to Quantity (key 1, value 2, the
// Quantity's string 1): "cpu" and "250m", say.
func quantityEntry(entry []byte) (name, quantity []byte, err error) {
	name, q, err := bytesPair(entry, 1, 2)
	if err != nil {
		return nil, nil, err
	}
	quantity, _, err = bytesPair(q, 1, 0)
	return name, quantity, err
}
