// Package computepb is x/compute's protos (proto/nightshift/compute/v1)
// generated a second time, by protoc-gen-go, as google.golang.org/protobuf
// types: the same messages, on the same wire, for programs that must not link
// cosmos-sdk/types (nightshift-worker). make proto-gen writes both outputs;
// compat_test fails when they disagree. Amounts (math.Int in x/compute/types)
// are their decimal strings here.
package computepb
