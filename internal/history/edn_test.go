package history

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestEDNReaderReadsJepsenOpMaps(t *testing.T) {
	v, err := readEDN(`{:process 3, :type :ok, :f :cas, :value [1 -2], :time 1234N, ` +
		`:error #{:a "b"}, :meta {:inst #inst "2017-01-01"}, :note "tab\tq\"\u00e9", :skip #_ nil \c} ; done`)
	require.NoError(t, err)
	require.Equal(t, ednMap, v.kind)
	get := func(k string) ednValue {
		x, ok := v.get(k)
		require.True(t, ok, k)
		return x
	}
	require.Equal(t, ednValue{kind: ednNumber, text: "3"}, get(":process"))
	require.Equal(t, ednValue{kind: ednKeyword, text: ":ok"}, get(":type"))
	require.Equal(t, "[1 -2]", get(":value").String())
	require.Equal(t, "1234N", get(":time").text)
	require.Equal(t, `#{:a "b"}`, get(":error").String())
	require.Equal(t, `{:inst #inst "2017-01-01"}`, get(":meta").String())
	require.Equal(t, "tab\tq\"é", get(":note").text)
	require.Equal(t, ednValue{kind: ednChar, text: "c"}, get(":skip"), "#_ discards the next value")
}

func TestRegisterValuesCompareAsCanonicalEDN(t *testing.T) {
	for in, want := range map[string]string{
		"4": "4", "+4": "4", "-0": "0", `"4"`: `"4"`, ":x": ":x", "4.0": "4.0", "[1 2]": "[1 2]",
	} {
		v, err := readEDN(in)
		require.NoError(t, err, in)
		require.Equal(t, want, registerText(v), in)
	}
}

func TestEDNReaderRefusesBrokenInput(t *testing.T) {
	for in, want := range map[string]string{
		"":              "column 1: unexpected end of line",
		"{:a 1":         "column 6: unexpected end of line: missing '}'",
		"[1 2}":         `column 5: unexpected '}'`,
		`"abc`:          "column 1: unterminated string",
		`"a\qb"`:        `column 3: unknown escape \q in a string`,
		"{:a}":          "map has a key without a value",
		"12abc":         `column 1: bad number "12abc"`,
		"1 2":           `column 3: unexpected "2" after the value`,
		":":             "column 1: empty keyword",
		"# x":           "'#' without a tag",
		`"\u12"`:        `short \u escape`,
		`"\u12zz"`:      `bad \u escape "12zz"`,
		"#_ 1":          "unexpected end of line",
		"{:a #_}":       "unexpected '}'",
		"(1 2 3":        "missing ')'",
		"#{1 2":         "missing '}'",
		"#inst":         "unexpected end of line",
		"\\":            "unexpected end of line after '\\'",
		"{:a 1, :b 2}}": `unexpected "}" after the value`,
	} {
		_, err := readEDN(in)
		require.ErrorContains(t, err, want, "%q", in)
	}
}

func TestEDNReaderNeverPanicsAndReprintsWhatItReads(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		alphabet := rapid.SampledFrom([]string{
			"{", "}", "[", "]", "(", ")", "#{", "#_", "#inst ", `"`, `\`, `\"`, ":a", "nil", "1", "-2.5", "3N",
			" ", ",", ";", "\n", "x", "é", "\\u00e9",
		})
		var in string
		for _, s := range rapid.SliceOfN(alphabet, 0, 20).Draw(t, "tokens") {
			in += s
		}
		v, err := readEDN(in)
		if err != nil {
			return
		}
		again, err := readEDN(v.String())
		if err != nil {
			t.Fatalf("%q read as %s, which does not read back: %v", in, v.String(), err)
		}
		if again.String() != v.String() {
			t.Fatalf("%q: %s reads back as %s", in, v.String(), again.String())
		}
	})
}
