package node

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func genMsg(t *rapid.T) Msg {
	m := Msg{
		Type:      MsgType(rapid.IntRange(1, int(msgTypeEnd)-1).Draw(t, "type")),
		From:      rapid.IntRange(-1, 100).Draw(t, "from"),
		Epoch:     rapid.Uint64().Draw(t, "epoch"),
		PN:        rapid.Uint64().Draw(t, "pn"),
		FC:        rapid.Uint64().Draw(t, "fc"),
		LC:        rapid.Uint64().Draw(t, "lc"),
		V:         rapid.Uint64().Draw(t, "v"),
		PendingPN: rapid.Uint64().Draw(t, "ppn"),
		Value:     rapid.SliceOf(rapid.Byte()).Draw(t, "value"),
		Quorum:    rapid.Uint64().Draw(t, "quorum"),
		Leader:    rapid.IntRange(-1, 7).Draw(t, "leader"),
		Flags:     rapid.Uint16().Draw(t, "flags"),
		Cookie:    rapid.Uint64().Draw(t, "cookie"),
		Seq:       rapid.Uint64().Draw(t, "seq"),
		Until:     rapid.Int64().Draw(t, "until"),
		Hash:      rapid.Uint64().Draw(t, "hash"),
	}
	for range rapid.IntRange(0, 3).Draw(t, "nv") {
		m.Versions = append(m.Versions, Version{V: rapid.Uint64().Draw(t, "vv"), Value: rapid.SliceOf(rapid.Byte()).Draw(t, "vval")})
	}
	for range rapid.IntRange(0, 3).Draw(t, "np") {
		m.Pairs = append(m.Pairs, Pair{Key: rapid.String().Draw(t, "pk"), Value: rapid.SliceOf(rapid.Byte()).Draw(t, "pv")})
	}
	for range rapid.IntRange(0, 3).Draw(t, "npl") {
		m.Pages = append(m.Pages, PageLSN{Page: rapid.IntRange(0, 100).Draw(t, "pp"), Rank: rapid.IntRange(-1, 7).Draw(t, "pr"),
			LSN: rapid.Uint64().Draw(t, "pl")})
	}
	m.Since = rapid.Uint64().Draw(t, "since")
	for range rapid.IntRange(0, 7).Draw(t, "nasof") {
		m.VecAsOf = append(m.VecAsOf, rapid.Uint64().Draw(t, "asof"))
	}
	m.Op = ClientOp{Client: rapid.Uint64().Draw(t, "c"), ReqID: rapid.Uint64().Draw(t, "r"),
		Kind: OpKind(rapid.IntRange(1, 4).Draw(t, "k")), Key: rapid.String().Draw(t, "key"),
		Value: rapid.SliceOf(rapid.Byte()).Draw(t, "ov"), Expect: rapid.SliceOf(rapid.Byte()).Draw(t, "oe"),
		Status: Status(rapid.IntRange(0, 3).Draw(t, "s")), Found: rapid.Bool().Draw(t, "f"),
		Version: rapid.Uint64().Draw(t, "ver"), Leader: rapid.IntRange(-1, 7).Draw(t, "ol")}
	return m
}

// normalise maps empty slices to nil, as decoding does.
func normalise(m Msg) Msg {
	if len(m.Value) == 0 {
		m.Value = nil
	}
	for i := range m.Versions {
		if len(m.Versions[i].Value) == 0 {
			m.Versions[i].Value = nil
		}
	}
	for i := range m.Pairs {
		if len(m.Pairs[i].Value) == 0 {
			m.Pairs[i].Value = nil
		}
	}
	if len(m.Op.Value) == 0 {
		m.Op.Value = nil
	}
	if len(m.Op.Expect) == 0 {
		m.Op.Expect = nil
	}
	return m
}

func TestEveryMessageRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genMsg(t)
		got, err := DecodeMsg(m.Encode())
		require.NoError(t, err)
		require.Equal(t, normalise(m), normalise(got))
	})
}

func TestAnyFlippedBitIsRejected(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genMsg(t)
		b := m.Encode()
		i := rapid.IntRange(0, len(b)*8-1).Draw(t, "bit")
		b[i/8] ^= 1 << (i % 8)
		_, err := DecodeMsg(b)
		require.ErrorIs(t, err, ErrCorruptMsg)
	})
}

func TestTruncatedMessagesAreRejected(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genMsg(t)
		b := m.Encode()
		n := rapid.IntRange(0, len(b)-1).Draw(t, "len")
		_, err := DecodeMsg(b[:n])
		require.ErrorIs(t, err, ErrCorruptMsg)
	})
}

func TestTransactionsRoundTrip(t *testing.T) {
	in := txn{ops: []txnOp{
		{kind: txPut, key: "a", value: []byte("1")},
		{kind: txDelete, key: "b"},
		{kind: txResult, result: clientResult{client: 7, reqID: 3, status: StatusMismatch}},
		{kind: txTrim, trim: 40},
	}}
	out, err := decodeTxn(in.encode())
	require.NoError(t, err)
	require.Equal(t, in, out)
	_, err = decodeTxn(append(in.encode(), 0))
	require.Error(t, err)
}

// MsgChecksumHolds tells a message damaged on the wire (its checksum
// fails) from one written wrong (its checksum holds, and it still does not
// decode): only the second is the wire checker's finding.
func TestMsgChecksumHoldsTellsWireDamageFromAMalformedMessage(t *testing.T) {
	good := (&Msg{Type: MLease, LC: 7, Until: 9}).Encode()
	require.True(t, MsgChecksumHolds(good))
	_, err := DecodeMsg(good)
	require.NoError(t, err)

	damaged := append([]byte(nil), good...)
	damaged[len(damaged)-1] ^= 1
	require.False(t, MsgChecksumHolds(damaged), "a bit flipped on the wire fails the checksum")

	// A field too many, checksummed as its sender would: it passes the
	// checksum and fails to decode.
	malformed := append(append([]byte(nil), good...), 0x01)
	binary.LittleEndian.PutUint32(malformed, crc32.Checksum(malformed[4:], castagnoli))
	require.True(t, MsgChecksumHolds(malformed))
	_, err = DecodeMsg(malformed)
	require.ErrorIs(t, err, ErrCorruptMsg)

	require.False(t, MsgChecksumHolds(good[:4]))
}
