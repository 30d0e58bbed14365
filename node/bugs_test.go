package node

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEveryBugSwitchIsInTheCatalogOnce(t *testing.T) {
	seen := map[int]Bug{}
	for _, info := range BugCatalog() {
		var b Bugs
		require.NoError(t, b.Enable(info.Name))
		v := reflect.ValueOf(b)
		on := -1
		for i := range v.NumField() {
			if v.Field(i).Bool() {
				require.Equal(t, -1, on, "%s switches on two bugs", info.Name)
				on = i
			}
		}
		require.NotEqual(t, -1, on, "%s switches on nothing", info.Name)
		require.NotContains(t, seen, on, "%s and %s share a switch", info.Name, seen[on])
		seen[on] = info.Name
		require.NotEmpty(t, info.Scenario)
		require.NotEmpty(t, info.Breaks)
	}
	require.Len(t, seen, reflect.TypeFor[Bugs]().NumField(), "a switch without a catalog entry")
}

func TestUnknownBugIsRefused(t *testing.T) {
	var b Bugs
	require.ErrorIs(t, b.Enable("no-such-bug"), ErrUnknownBug)
	var name Bug
	require.ErrorIs(t, name.UnmarshalText([]byte("no-such-bug")), ErrUnknownBug)
	require.NoError(t, name.UnmarshalText([]byte("lease-no-check")))
	require.Equal(t, Bug("lease-no-check"), name)
}
