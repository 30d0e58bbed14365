package checker

import (
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

// A message dropped as corrupt whose checksum held is a finding, with the
// ranks and type that tell where to look.
func TestWireCatchesAMalformedMessage(t *testing.T) {
	w := NewWire()
	require.Empty(t, w.Violations())
	w.Malformed(7, 2, 0, node.MSyncChunk)
	v := w.Violations()
	require.Len(t, v, 1)
	require.Equal(t, Violation{Checker: NameWire, Node: 2, At: 7,
		Reason: "dropped a sync-chunk message from rank 0 whose checksum held: its sender wrote it wrong, or it read it wrong"}, v[0])
}
