package history

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const goodJSON = `{"format":"monsim-history/1","ops":[
{"client":0,"kind":"put","key":"k1","value":"a","expect":"","status":"ok","found":false,"out":"","unknown":false,"call":100,"return":200},
{"client":1,"kind":"get","key":"k1","value":"","expect":"","status":"ok","found":true,"out":"a","unknown":false,"call":300,"return":400}
]}
`

// Every malformed input is one *ParseError that names the line at fault.
func TestMalformedInputNamesTheLine(t *testing.T) {
	good := string(logHistory("0 :invoke :write 1", "0 :ok :write 1"))
	for _, tc := range []struct {
		name, data string
		line       int
		want       string
	}{
		{"log process", good + "INFO  jepsen.util - x\t:invoke\t:read\tnil\n", 3, `process "x" is not a number`},
		{"log type", good + "INFO  jepsen.util - 1\t:started\t:read\tnil\n", 3, `type ":started"`},
		{"log op", good + "INFO  jepsen.util - 1\t:invoke\t:frob\tnil\n", 3, `operation ":frob"`},
		{"log short", good + "INFO  jepsen.util - 1\t:invoke\n", 3, "want `jepsen.util - PROCESS :TYPE :F VALUE`"},
		{"log value", good + "INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2\n", 3, `missing ']'`},
		{"cas arity", good + "INFO  jepsen.util - 1\t:invoke\t:cas\t[1]\n", 3, "want [expected new]"},
		{"write nil", good + "INFO  jepsen.util - 1\t:invoke\t:write\tnil\n", 3, "write of nil"},
		{"no invocation", good + "INFO  jepsen.util - 4\t:ok\t:read\t1\n", 3, "process 4 completes :read (:ok) with no invocation open"},
		{"double invoke", good + "INFO  jepsen.util - 4\t:invoke\t:read\tnil\n\nINFO  jepsen.util - 4\t:invoke\t:write\t2\n", 5,
			"process 4 invokes :write while its :read from line 3 has not completed"},
		{"other op", good + "INFO  jepsen.util - 4\t:invoke\t:read\tnil\nINFO  jepsen.util - 4\t:ok\t:write\t2\n", 4,
			"process 4 completes :write, but invoked :read on line 3"},
		{"edn syntax", "{:process 0, :type :invoke, :f :read, :value nil}\n{:process 0, :type :ok, :f :read, :value \"1}\n", 2, "unterminated string"},
		{"edn unclosed", "{:process 0, :type :invoke, :f :read, :value nil\n", 1, `missing '}'`},
		{"edn odd map", "{:process 0, :type}\n", 1, "map has a key without a value"},
		{"edn not a map", "{:process 0, :type :invoke, :f :read, :value nil}\n[1 2]\n", 2, "want one EDN map per line"},
		{"edn two values", "{:process 0, :type :invoke, :f :read, :value nil} {}\n", 1, "after the value"},
		{"edn no process", "{:type :invoke, :f :read, :value nil}\n", 1, "no :process"},
		{"edn process", "{:process 1.5, :type :invoke, :f :read, :value nil}\n", 1, ":process 1.5 is not a whole number"},
		{"edn type", "{:process 1, :type \"ok\", :f :read, :value nil}\n", 1, `:type "ok"`},
		{"edn f", "{:process 1, :type :invoke, :f :txn, :value nil}\n", 1, ":f :txn"},
		{"edn key", "{:process 1, :type :invoke, :f :read, :key \"a\"}\n{:process 1, :type :ok, :f :read, :key \"b\", :value 1}\n", 2,
			`process 1 completes key "b", but invoked key "a" on line 1`},
		{"edn families", "{:process 1, :type :invoke, :f :write, :key \"a\", :value 1}\n{:process 2, :type :invoke, :f :append, :key \"a\", :value \"x\"}\n", 2,
			`key "a" mixes register ops`},
		{"json unknown field", strings.Replace(goodJSON, `"client":1,`, `"client":1,"node":3,`, 1), 3, `op #1: json: unknown field "node"`},
		{"json kind", strings.Replace(goodJSON, `"kind":"get"`, `"kind":"scan"`, 1), 3, `op #1: kind "scan"`},
		{"json status", strings.Replace(goodJSON, `"status":"ok","found":true`, `"status":"retry","found":true`, 1), 3, `op #1: get with status "retry" is no final outcome`},
		{"json time", strings.Replace(goodJSON, `"call":300`, `"call":500`, 1), 3, "op #1: returns at 400, before its call at 500"},
		{"json type", strings.Replace(goodJSON, `"call":300`, `"call":"300"`, 1), 3, "op #1: json: cannot unmarshal string"},
		{"json syntax", strings.Replace(goodJSON, `"call":300,`, `"call":300,,`, 1), 3, "op #1: invalid character"},
		{"json truncated", goodJSON[:len(goodJSON)/2], 2, "op #0:"},
		{"json format", strings.Replace(goodJSON, "monsim-history/1", "monsim-history/2", 1), 1, `format "monsim-history/2", this build reads "monsim-history/1"`},
		{"json no format", "{\"ops\":[]}\n", 1, `no "format" field`},
		{"json trailing", goodJSON + "{}\n", 5, "trailing data"},
		{"json field", strings.Replace(goodJSON, `"ops":[`, `"extra":1,"ops":[`, 1), 1, "unknown field extra"},
	} {
		_, err := Check([]byte(tc.data), generous)
		var pe *ParseError
		require.True(t, errors.As(err, &pe), "%s: %v", tc.name, err)
		require.ErrorIs(t, err, ErrMalformed, tc.name)
		require.Equal(t, tc.line, pe.Line, "%s: %v", tc.name, err)
		require.Contains(t, pe.Msg, tc.want, tc.name)
		require.NotContains(t, err.Error(), "\n", "%s: one line", tc.name)
		require.True(t, strings.HasPrefix(err.Error(), "line "), tc.name)
	}
}

func TestUnknownFormatsAreRefused(t *testing.T) {
	for _, data := range []string{"", "\n  \n", "hello world\n", "[1 2 3]\n", "# a heading\n{:process 0}\n"} {
		_, err := Check([]byte(data), generous)
		require.ErrorIs(t, err, ErrUnknownFormat, "%q", data)
		require.NotContains(t, err.Error(), "\n")
	}
	_, err := Check([]byte("hello\n"), generous)
	require.EqualError(t, err, `unknown history format: line 1 begins "hello"; want a monsim JSON history, a Jepsen log (jepsen.util lines) or Jepsen EDN maps`)
}
