package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDurabilityAcceptsAnyPrefixFromTheLastSyncedBatch(t *testing.T) {
	d := NewDurability(0)
	d.Applied(1, false)
	d.Applied(2, true)
	d.Applied(3, false)
	d.Applied(4, false)
	require.Nil(t, d.Recovered(10, 0, 3))
	d.Applied(5, true)
	require.Nil(t, d.Recovered(20, 0, 5))
}

func TestDurabilityCatchesALostSyncedBatch(t *testing.T) {
	d := NewDurability(0)
	d.Applied(1, true)
	d.Applied(2, true)
	v := d.Recovered(10, 3, 1)
	require.NotNil(t, v)
	require.Equal(t, NameKVDurability, v.Checker)
	require.Contains(t, v.Reason, "synced batches lost")
	require.Equal(t, 3, v.Node)
}

func TestDurabilityCatchesAStateNoBatchProduced(t *testing.T) {
	d := NewDurability(0)
	d.Applied(1, false)
	v := d.Recovered(10, 0, 99)
	require.NotNil(t, v)
	require.Contains(t, v.Reason, "no prefix")
}
