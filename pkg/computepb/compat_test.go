package computepb_test

// The protoc-gen-go types here and the gogoproto types of x/compute/types are two
// outputs of the same proto/ files (scripts/protocgen.sh): these tests fail
// when one was regenerated and the other not, or when the two disagree on
// the wire.

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"cosmossdk.io/math"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/nightshift-network/nightshift/pkg/computepb"
	"github.com/nightshift-network/nightshift/x/compute/types"
)

// TestSameDescriptors compares each proto file's descriptor as this
// package registers it with the one gogoproto registered for x/compute/types.
func TestSameDescriptors(t *testing.T) {
	files := []string{
		computepb.File_nightshift_compute_v1_compute_proto.Path(),
		computepb.File_nightshift_compute_v1_events_proto.Path(),
		computepb.File_nightshift_compute_v1_genesis_proto.Path(),
		computepb.File_nightshift_compute_v1_query_proto.Path(),
		computepb.File_nightshift_compute_v1_tx_proto.Path(),
	}
	golang := map[string]*descriptorpb.FileDescriptorProto{
		files[0]: protodesc.ToFileDescriptorProto(computepb.File_nightshift_compute_v1_compute_proto),
		files[1]: protodesc.ToFileDescriptorProto(computepb.File_nightshift_compute_v1_events_proto),
		files[2]: protodesc.ToFileDescriptorProto(computepb.File_nightshift_compute_v1_genesis_proto),
		files[3]: protodesc.ToFileDescriptorProto(computepb.File_nightshift_compute_v1_query_proto),
		files[4]: protodesc.ToFileDescriptorProto(computepb.File_nightshift_compute_v1_tx_proto),
	}
	for _, path := range files {
		gz := gogoproto.FileDescriptor(path)
		if gz == nil {
			t.Fatalf("%s: not registered by x/compute/types", path)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		var gogo descriptorpb.FileDescriptorProto
		if err := proto.Unmarshal(raw, &gogo); err != nil {
			t.Fatal(err)
		}
		// protoc-gen-gocosmos adds its gogoproto file options (marshaler_all,
		// sizer_all, ...: how Go code is generated, not the wire) to the
		// descriptor it registers; the .proto files set none at file level.
		gogo.GetOptions().ProtoReflect().SetUnknown(nil)
		p := golang[path]
		if len(p.MessageType) == 0 || len(p.MessageType) != len(gogo.MessageType) {
			t.Errorf("%s: %d messages in pkg/computepb, %d in x/compute/types", path, len(p.MessageType), len(gogo.MessageType))
		}
		if !proto.Equal(p, &gogo) {
			t.Errorf("%s: the protoc-gen-go and gogoproto descriptors differ: run make proto-gen", path)
		}
	}
}

// TestSameBytes encodes a job with each and decodes it with the other.
func TestSameBytes(t *testing.T) {
	job := types.Job{Id: 7, Requester: "shift1requester", Kind: "hashcash", Spec: "{}", Items: 30, ItemsPerTask: 10,
		PricePerItem: math.NewInt(123456789), Escrow: math.NewInt(3703703670), Status: types.JobStatus(1), NumTasks: 3}
	gogoBytes, err := (&types.QueryJobsResponse{Jobs: []types.Job{job}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var res computepb.QueryJobsResponse
	if err := proto.Unmarshal(gogoBytes, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Jobs) != 1 || res.Jobs[0].Id != 7 || res.Jobs[0].Kind != "hashcash" || res.Jobs[0].PricePerItem != "123456789" ||
		res.Jobs[0].Escrow != "3703703670" || res.Jobs[0].NumTasks != 3 {
		t.Fatalf("decoded %v", &res)
	}
	goBytes, err := proto.MarshalOptions{Deterministic: true}.Marshal(&res)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(goBytes, gogoBytes) {
		t.Errorf("re-encoded by the computepb type:\n%x\nby gogoproto:\n%x", goBytes, gogoBytes)
	}
}
