package history

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/monsim/monsim/checker"
	"github.com/monsim/monsim/node"
)

// jepsenFn is one of Jepsen's functions and the op that expresses it in
// checker's one model: register ops read, write and cas; key-value ops
// get, put and append (as in porcupine's kv test data).
type jepsenFn struct {
	name   string
	family checker.Family
	kind   node.OpKind
	append bool
}

var jepsenFns = []jepsenFn{
	{name: "read", family: checker.FamilyJepsenRegister, kind: node.OpGet},
	{name: "write", family: checker.FamilyJepsenRegister, kind: node.OpPut},
	{name: "cas", family: checker.FamilyJepsenRegister, kind: node.OpCas},
	{name: "get", family: checker.FamilyJepsenKV, kind: node.OpGet},
	{name: "put", family: checker.FamilyJepsenKV, kind: node.OpPut},
	{name: "append", family: checker.FamilyJepsenKV, kind: node.OpPut, append: true},
}

// rawOp is one operation line of a Jepsen history, in either form.
type rawOp struct {
	line    int
	process int
	typ     string // "invoke", "ok", "fail" or "info"
	fn      jepsenFn
	key     string
	hasKey  bool
	value   ednValue
}

// parseLogLine reads `INFO  jepsen.util - 3	:invoke	:cas	[1 2]`. Lines that
// do not mention jepsen.util are other loggers' records and are skipped, as
// are the nemesis's ops.
func parseLogLine(n int, line string) (op rawOp, skip bool, err error) {
	_, after, found := strings.Cut(line, "jepsen.util")
	if !found {
		return rawOp{}, true, nil
	}
	rest := strings.TrimLeft(after, " \t")
	if r, ok := strings.CutPrefix(rest, "-"); ok {
		rest = r
	} else if r, ok := strings.CutPrefix(rest, ":"); ok {
		rest = r
	}
	proc, rest := cutField(rest)
	typ, rest := cutField(rest)
	f, rest := cutField(rest)
	if f == "" {
		return rawOp{}, false, parseErrorf(n, "want `jepsen.util - PROCESS :TYPE :F VALUE`, got %q", excerpt(line))
	}
	if strings.HasPrefix(proc, ":") { // :nemesis
		return rawOp{}, true, nil
	}
	op = rawOp{line: n, value: ednValue{kind: ednNil, text: "nil"}}
	if op.process, err = strconv.Atoi(proc); err != nil {
		return rawOp{}, false, parseErrorf(n, "process %q is not a number", proc)
	}
	if op.typ, err = opType(typ); err != nil {
		return rawOp{}, false, parseErrorf(n, "%v", err)
	}
	if op.fn, err = opFunction(f); err != nil {
		return rawOp{}, false, parseErrorf(n, "%v", err)
	}
	if rest = strings.TrimSpace(rest); rest != "" {
		if op.value, err = readEDN(rest); err != nil {
			return rawOp{}, false, parseErrorf(n, "value %q: %v", excerpt(rest), err)
		}
	}
	return op, false, nil
}

// cutField splits off the first run of non-blank characters.
func cutField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}

// parseEDNLine reads `{:process 0, :type :invoke, :f :write, :value 3}`,
// with an optional :key. The nemesis's ops are skipped.
func parseEDNLine(n int, line string) (op rawOp, skip bool, err error) {
	m, err := readEDN(line)
	if err != nil {
		return rawOp{}, false, parseErrorf(n, "%v", err)
	}
	if m.kind != ednMap {
		return rawOp{}, false, parseErrorf(n, "want one EDN map per line, got %q", excerpt(line))
	}
	proc, ok := m.get(":process")
	switch {
	case !ok:
		return rawOp{}, false, parseErrorf(n, "no :process")
	case proc.kind == ednKeyword: // :nemesis
		return rawOp{}, true, nil
	}
	op = rawOp{line: n, value: ednValue{kind: ednNil, text: "nil"}}
	if op.process, err = strconv.Atoi(proc.text); proc.kind != ednNumber || err != nil {
		return rawOp{}, false, parseErrorf(n, ":process %s is not a whole number", proc)
	}
	typ, _ := m.get(":type")
	if op.typ, err = opType(typ.text); typ.kind != ednKeyword || err != nil {
		return rawOp{}, false, parseErrorf(n, ":type %s: want :invoke, :ok, :fail or :info", typ)
	}
	f, _ := m.get(":f")
	if op.fn, err = opFunction(f.text); f.kind != ednKeyword || err != nil {
		return rawOp{}, false, parseErrorf(n, ":f %s: want :read, :write, :cas, :get, :put or :append", f)
	}
	if key, ok := m.get(":key"); ok {
		op.key, op.hasKey = plainText(key), true
	}
	if v, ok := m.get(":value"); ok {
		op.value = v
	}
	return op, false, nil
}

func opType(s string) (string, error) {
	switch s {
	case ":invoke", ":ok", ":fail", ":info":
		return s[1:], nil
	}
	return "", fmt.Errorf("type %q: want :invoke, :ok, :fail or :info", s)
}

func opFunction(s string) (jepsenFn, error) {
	for _, fn := range jepsenFns {
		if s == ":"+fn.name {
			return fn, nil
		}
	}
	return jepsenFn{}, fmt.Errorf("operation %q: want :read, :write, :cas, :get, :put or :append", s)
}

// registerText is a register value as compared: EDN text, integers in
// canonical form.
func registerText(v ednValue) string {
	if v.kind == ednNumber {
		if n, err := strconv.ParseInt(v.text, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
	}
	return v.String()
}

// plainText is a key or a key-value value: a string's contents, any other
// value as EDN text, nil as the empty string.
func plainText(v ednValue) string {
	switch v.kind {
	case ednString:
		return v.text
	case ednNil:
		return ""
	}
	return registerText(v)
}

// builder pairs invocations with completions. Each op's call and return
// times are the lines they appear on, so the file's order is the real-time
// order porcupine checks.
type builder struct {
	ops     []checker.KVOp
	fns     []jepsenFn // each op's Jepsen function, for error messages
	dropped []bool
	pending map[int]int               // process -> index in ops of its open invocation
	family  map[string]checker.Family // key -> the family of its ops
}

func newBuilder() *builder {
	return &builder{pending: map[int]int{}, family: map[string]checker.Family{}}
}

func (b *builder) add(r rawOp) error {
	if r.typ == "invoke" {
		return b.invoke(r)
	}
	i, ok := b.pending[r.process]
	if !ok {
		return parseErrorf(r.line, "process %d completes :%s (:%s) with no invocation open", r.process, r.fn.name, r.typ)
	}
	op := &b.ops[i]
	if b.fns[i] != r.fn {
		return parseErrorf(r.line, "process %d completes :%s, but invoked :%s on line %d", r.process, r.fn.name, b.fns[i].name, op.Call)
	}
	if r.hasKey && r.key != op.Key {
		return parseErrorf(r.line, "process %d completes key %q, but invoked key %q on line %d", r.process, r.key, op.Key, op.Call)
	}
	delete(b.pending, r.process)
	switch r.typ {
	case "fail": // it did not happen
		b.dropped[i] = true
	case "info": // it may or may not have happened: it stays unknown
	case "ok":
		op.Unknown, op.Status, op.Return = false, node.StatusOK, int64(r.line)
		switch {
		case op.Kind == node.OpGet && op.Family == checker.FamilyJepsenRegister:
			op.Found = r.value.kind != ednNil
			if op.Found {
				op.Out = registerText(r.value)
			}
		case op.Kind == node.OpGet:
			op.Out = plainText(r.value)
		}
	}
	return nil
}

// invoke opens an op whose outcome is unknown until an :ok completes it.
func (b *builder) invoke(r rawOp) error {
	if i, ok := b.pending[r.process]; ok {
		return parseErrorf(r.line, "process %d invokes :%s while its :%s from line %d has not completed",
			r.process, r.fn.name, b.fns[i].name, b.ops[i].Call)
	}
	if f, ok := b.family[r.key]; ok && f != r.fn.family {
		return parseErrorf(r.line, "%s mixes register ops (read, write, cas) with key-value ops (get, put, append)", keyName(r.key))
	}
	b.family[r.key] = r.fn.family
	op := checker.KVOp{Client: r.process, Kind: r.fn.kind, Key: r.key, Family: r.fn.family, Append: r.fn.append,
		Unknown: true, Call: int64(r.line)}
	switch r.fn.name {
	case "write":
		if r.value.kind == ednNil {
			return parseErrorf(r.line, "write of nil")
		}
		op.Value = registerText(r.value)
	case "put", "append":
		op.Value = plainText(r.value)
	case "cas":
		if r.value.kind != ednVector || len(r.value.items) != 2 || r.value.items[1].kind == ednNil {
			return parseErrorf(r.line, "cas value %s: want [expected new]", r.value)
		}
		expect := r.value.items[0]
		op.ExpectAbsent = expect.kind == ednNil
		if !op.ExpectAbsent {
			op.Expect = registerText(expect)
		}
		op.Value = registerText(r.value.items[1])
	}
	b.pending[r.process] = len(b.ops)
	b.ops = append(b.ops, op)
	b.fns = append(b.fns, r.fn)
	b.dropped = append(b.dropped, false)
	return nil
}

// finish returns the operations that may have happened: :fail ones
// dropped; :info and never-completed ones keep their unknown outcome.
func (b *builder) finish() []checker.KVOp {
	out := make([]checker.KVOp, 0, len(b.ops))
	for i, op := range b.ops {
		if !b.dropped[i] {
			out = append(out, op)
		}
	}
	return out
}

// keyName names a key in an error message: a history without keys is
// one register.
func keyName(key string) string {
	if key == "" {
		return "the register"
	}
	return "key " + strconv.Quote(key)
}
