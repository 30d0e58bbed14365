package history

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// logHistory writes Jepsen log lines from "process type f value" rows,
// alternating tabs and runs of spaces as real logs do.
func logHistory(rows ...string) []byte {
	var b strings.Builder
	for i, row := range rows {
		sep := "\t"
		if i%2 == 1 {
			sep = "   "
		}
		fmt.Fprintf(&b, "INFO  jepsen.util - %s\n", strings.Join(strings.SplitN(row, " ", 4), sep))
	}
	return []byte(b.String())
}

func check(t *testing.T, data []byte) Result {
	t.Helper()
	res, err := Check(data, generous)
	require.NoError(t, err)
	return res
}

func TestRegisterLogAcceptsALegalHistory(t *testing.T) {
	res := check(t, logHistory(
		"0 :invoke :read nil",
		"0 :ok :read nil", // nothing written yet
		"1 :invoke :write 1",
		"2 :invoke :read nil",
		"1 :ok :write 1",
		"2 :ok :read nil", // concurrent with the write: may precede it
		"0 :invoke :cas [1 2]",
		"0 :ok :cas [1 2]",
		"2 :invoke :read nil",
		"2 :ok :read 2",
	))
	require.Equal(t, VerdictLinearizable, res.Verdict)
	require.Equal(t, 5, res.Ops)
	require.Equal(t, FormatJepsenLog, res.Format)
}

func TestStaleReadIsNotLinearizable(t *testing.T) {
	res := check(t, logHistory(
		"0 :invoke :write 1",
		"0 :ok :write 1",
		"1 :invoke :write 2",
		"1 :ok :write 2",
		"0 :invoke :read nil",
		"0 :ok :read 1",
	))
	require.Equal(t, VerdictNotLinearizable, res.Verdict)
	require.Equal(t, "the register: no order of its 3 ops is legal (the longest legal prefix has 2); "+
		"first op no order reaches: process 0 read() -> 1, line 5-6", res.Detail)
}

func TestNilReadAfterAWriteIsNotLinearizable(t *testing.T) {
	res := check(t, logHistory(
		"0 :invoke :write 3",
		"0 :ok :write 3",
		"1 :invoke :read nil",
		"1 :ok :read nil",
	))
	require.Equal(t, VerdictNotLinearizable, res.Verdict)
	require.Contains(t, res.Detail, "process 1 read() -> nil, line 3-4")
}

func TestCasOnlyAppliesToTheExpectedValue(t *testing.T) {
	legal := check(t, logHistory(
		"0 :invoke :write 1",
		"0 :ok :write 1",
		"0 :invoke :cas [1 2]",
		"0 :ok :cas [1 2]",
		"0 :invoke :read nil",
		"0 :ok :read 2",
	))
	require.Equal(t, VerdictLinearizable, legal.Verdict)
	wrong := check(t, logHistory(
		"0 :invoke :write 1",
		"0 :ok :write 1",
		"0 :invoke :cas [3 2]", // the register holds 1: this cas cannot succeed
		"0 :ok :cas [3 2]",
	))
	require.Equal(t, VerdictNotLinearizable, wrong.Verdict)
	require.Contains(t, wrong.Detail, "cas(3->2)")
}

// :fail means the op did not happen, so a failed cas is dropped, not read
// as "the compare failed" (which would make this history illegal: the
// register held 1).
func TestFailedOpsAreDropped(t *testing.T) {
	res := check(t, logHistory(
		"0 :invoke :write 1",
		"0 :ok :write 1",
		"1 :invoke :cas [1 2]",
		"1 :fail :cas [1 2]",
		"2 :invoke :write 5",
		"2 :fail :write 5",
		"0 :invoke :read nil",
		"0 :fail :read :timed-out",
		"0 :invoke :read nil",
		"0 :ok :read 1",
	))
	require.Equal(t, VerdictLinearizable, res.Verdict)
	require.Equal(t, 2, res.Ops)
}

// An :info op may take effect at any instant after its call, or never, but
// at most once.
func TestInfoOpMayHappenLaterOrNever(t *testing.T) {
	prefix := []string{
		"0 :invoke :write 1",
		"0 :ok :write 1",
		"1 :invoke :write 2",
		"1 :info :write :timed-out",
	}
	for _, tc := range []struct {
		reads []string
		want  string
	}{
		{[]string{"1", "1"}, VerdictLinearizable}, // never happened (so far)
		{[]string{"1", "2"}, VerdictLinearizable}, // happened late
		{[]string{"2", "2"}, VerdictLinearizable},
		{[]string{"2", "1"}, VerdictNotLinearizable}, // nothing wrote 1 again
	} {
		rows := append([]string(nil), prefix...)
		for _, v := range tc.reads {
			rows = append(rows, "0 :invoke :read nil", "0 :ok :read "+v)
		}
		res := check(t, logHistory(rows...))
		require.Equal(t, tc.want, res.Verdict, "reads %v: %s", tc.reads, res.Detail)
	}
}

func TestInvocationWithoutCompletionIsUnknown(t *testing.T) {
	res := check(t, logHistory(
		"0 :invoke :write 1",
		"0 :ok :write 1",
		"1 :invoke :cas [1 7]", // the log ends before it completes
		"0 :invoke :read nil",
		"0 :ok :read 7",
	))
	require.Equal(t, VerdictLinearizable, res.Verdict)
	require.Equal(t, 3, res.Ops)
}

func TestLogSkipsOtherLoggersAndTheNemesis(t *testing.T) {
	data := "INFO  jepsen.core - Running test\n" +
		"\tat clojure.core$eval.invoke(core.clj:1)\n" +
		string(logHistory("0 :invoke :write 1", "0 :ok :write 1")) +
		"INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n" +
		"INFO  jepsen.util - :nemesis\t:info\t:start\t\"partitioned {n1 n2}\"\n" +
		"2017-01-01 12:00:00,000{GMT}\tINFO\t[jepsen worker 1] jepsen.util: 1\t:invoke\t:read\tnil\n" +
		"2017-01-01 12:00:00,001{GMT}\tINFO\t[jepsen worker 1] jepsen.util: 1\t:ok\t:read\t1\n"
	res := check(t, []byte(data))
	require.Equal(t, VerdictLinearizable, res.Verdict)
	require.Equal(t, 2, res.Ops)
}

func TestEDNRegistersArePartitionedByKey(t *testing.T) {
	edn := `{:process 0, :type :invoke, :f :write, :key "a", :value 1, :time 10}
{:process 0, :type :ok, :f :write, :key "a", :value 1, :time 20}
{:process 1, :type :invoke, :f :write, :key 7, :value "x"}
{:process 1, :type :ok, :f :write, :key 7, :value "x"}
{:process :nemesis, :type :info, :f :start, :value nil}
{:process 2, :type :invoke, :f :read, :key "a", :value nil}
{:process 2, :type :ok, :f :read, :key "a", :value 1}
{:process 2, :type :invoke, :f :read, :key 7, :value nil}
{:process 2, :type :ok, :f :read, :key 7, :value "x"}
`
	res := check(t, []byte(edn))
	require.Equal(t, VerdictLinearizable, res.Verdict)
	require.Equal(t, FormatJepsenEDN, res.Format)
	require.Equal(t, 4, res.Ops)

	// "x" is a string, x would be a symbol: register values compare as EDN.
	res = check(t, []byte(strings.Replace(edn, `:key 7, :value "x"}`+"\n", `:key 7, :value x}`+"\n", 1)))
	require.Equal(t, VerdictNotLinearizable, res.Verdict)
	require.Contains(t, res.Detail, `key "7"`)
}

func TestKVAppendsAndStaleGet(t *testing.T) {
	ops := `{:process 0, :type :invoke, :f :get, :key "k", :value nil}
{:process 0, :type :ok, :f :get, :key "k", :value ""}
{:process 0, :type :invoke, :f :put, :key "k", :value "a"}
{:process 0, :type :ok, :f :put, :key "k", :value "a"}
{:process 1, :type :invoke, :f :append, :key "k", :value "b"}
{:process 1, :type :ok, :f :append, :key "k", :value "b"}
{:process 2, :type :invoke, :f :append, :key "other", :value "z"}
{:process 2, :type :info, :f :append, :key "other", :value "z"}
{:process 0, :type :invoke, :f :get, :key "k", :value nil}
`
	res := check(t, []byte(ops+`{:process 0, :type :ok, :f :get, :key "k", :value "ab"}`))
	require.Equal(t, VerdictLinearizable, res.Verdict)
	require.Equal(t, 5, res.Ops)

	res = check(t, []byte(ops+`{:process 0, :type :ok, :f :get, :key "k", :value "a"}`))
	require.Equal(t, VerdictNotLinearizable, res.Verdict)
	require.Equal(t, `key "k": no order of its 4 ops is legal (the longest legal prefix has 3); `+
		`first op no order reaches: process 0 get("k") -> "a", line 9-10`, res.Detail)
}

// A history no search decides in a nanosecond: 22 concurrent writes and a
// read of a value none of them wrote, which porcupine can refute only by
// trying every subset of the writes.
func hardHistory() []byte {
	var rows []string
	rows = append(rows, "99 :invoke :read nil")
	for p := 0; p < 22; p++ {
		rows = append(rows, fmt.Sprintf("%d :invoke :write %d", p, p))
	}
	for p := 0; p < 22; p++ {
		rows = append(rows, fmt.Sprintf("%d :ok :write %d", p, p))
	}
	rows = append(rows, "99 :ok :read 1000")
	return logHistory(rows...)
}

func TestTimeoutIsUnknownNeverAPass(t *testing.T) {
	res, err := Check(hardHistory(), time.Nanosecond)
	require.NoError(t, err)
	require.Equal(t, VerdictUnknown, res.Verdict)
	require.Contains(t, res.Detail, "no verdict within 1ns for 23 ops")
}

// cas [nil v] expects an empty register.
func TestCasFromNilOnlyAppliesToAnEmptyRegister(t *testing.T) {
	legal := check(t, logHistory(
		"0 :invoke :cas [nil 1]",
		"0 :ok :cas [nil 1]",
		"1 :invoke :read nil",
		"1 :ok :read 1",
	))
	require.Equal(t, VerdictLinearizable, legal.Verdict)
	wrong := check(t, logHistory(
		"0 :invoke :write 1",
		"0 :ok :write 1",
		"1 :invoke :cas [nil 2]",
		"1 :ok :cas [nil 2]",
	))
	require.Equal(t, VerdictNotLinearizable, wrong.Verdict)
	require.Equal(t, "the register: no order of its 2 ops is legal (the longest legal prefix has 1); "+
		"first op no order reaches: process 1 cas(nil->2), line 3-4", wrong.Detail)
}
