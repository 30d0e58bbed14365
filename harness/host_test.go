package harness

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/monsim/monsim/node"
	"github.com/stretchr/testify/require"
)

// The host tells a message damaged on the wire (its checksum fails) from
// one written wrong (its checksum holds, and it still does not decode):
// only the second is the wire checker's finding.
func TestChecksumHoldsTellsWireDamageFromAMalformedMessage(t *testing.T) {
	good := (&node.Msg{Type: node.MLease, LC: 7, Until: 9}).Encode()
	require.True(t, checksumHolds(good))
	_, err := node.DecodeMsg(good)
	require.NoError(t, err)

	damaged := append([]byte(nil), good...)
	damaged[len(damaged)-1] ^= 1
	require.False(t, checksumHolds(damaged), "a bit flipped on the wire fails the checksum")

	// A field too many, checksummed as its sender would: it passes the
	// checksum and fails to decode.
	malformed := append(append([]byte(nil), good...), 0x01)
	binary.LittleEndian.PutUint32(malformed, crc32.Checksum(malformed[4:], castagnoli))
	require.True(t, checksumHolds(malformed))
	_, err = node.DecodeMsg(malformed)
	require.ErrorIs(t, err, node.ErrCorruptMsg)

	require.False(t, checksumHolds(good[:4]))
}
