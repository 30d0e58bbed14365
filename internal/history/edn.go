package history

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A tiny reader for the EDN that Jepsen histories use: one value, usually a
// map, per line. It reads nil, booleans, numbers, strings, characters,
// keywords, symbols, vectors, lists, maps, sets, tagged values (#inst "...")
// and skips comments and #_ discards. It keeps numbers as their text:
// histories compare values, they never compute with them.

type ednKind uint8

const (
	ednNil ednKind = iota + 1
	ednBool
	ednNumber
	ednString
	ednChar
	ednKeyword // text keeps the leading colon: ":invoke"
	ednSymbol
	ednVector
	ednList
	ednMap // items alternate key, value
	ednSet
	ednTagged // text is the tag without '#', items[0] the value
)

type ednValue struct {
	kind  ednKind
	text  string // number, string contents, char, keyword, symbol, tag
	items []ednValue
}

// readEDN parses exactly one value from s; anything but whitespace, commas
// and comments after it is an error.
func readEDN(s string) (ednValue, error) {
	r := &ednReader{s: s}
	v, err := r.nonDiscard()
	if err != nil {
		return ednValue{}, err
	}
	r.skipSpace()
	if r.pos < len(r.s) {
		return ednValue{}, r.errorf("unexpected %q after the value", r.rest())
	}
	return v, nil
}

type ednReader struct {
	s   string
	pos int
}

func (r *ednReader) errorf(format string, args ...any) error {
	return fmt.Errorf("column %d: %s", r.pos+1, fmt.Sprintf(format, args...))
}

// rest is a short excerpt of the input left, for error messages.
func (r *ednReader) rest() string {
	rest := r.s[r.pos:]
	if len(rest) > 20 {
		return rest[:20] + "..."
	}
	return rest
}

func (r *ednReader) skipSpace() {
	for r.pos < len(r.s) {
		switch c := r.s[r.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			r.pos++
		case c == ';':
			for r.pos < len(r.s) && r.s[r.pos] != '\n' {
				r.pos++
			}
		default:
			return
		}
	}
}

var errEnd = errors.New("unexpected end of line")

func (r *ednReader) value() (ednValue, error) {
	r.skipSpace()
	if r.pos >= len(r.s) {
		return ednValue{}, r.errorf("%v", errEnd)
	}
	switch c := r.s[r.pos]; c {
	case '{':
		r.pos++
		v, err := r.seq('}', ednMap)
		if err == nil && len(v.items)%2 != 0 {
			err = r.errorf("map has a key without a value")
		}
		return v, err
	case '[':
		r.pos++
		return r.seq(']', ednVector)
	case '(':
		r.pos++
		return r.seq(')', ednList)
	case '"':
		return r.str()
	case '\\':
		start := r.pos
		r.pos++
		_, size := utf8.DecodeRuneInString(r.s[r.pos:])
		if size == 0 {
			return ednValue{}, r.errorf("%v after '\\'", errEnd)
		}
		r.pos += size
		r.pos += len(r.token())
		return ednValue{kind: ednChar, text: r.s[start+1 : r.pos]}, nil
	case '#':
		return r.dispatch()
	case '}', ']', ')':
		return ednValue{}, r.errorf("unexpected %q", c)
	}
	tok := r.token()
	if tok == "" {
		return ednValue{}, r.errorf("unexpected %q", r.s[r.pos])
	}
	start := r.pos
	r.pos += len(tok)
	switch {
	case tok == "nil":
		return ednValue{kind: ednNil, text: tok}, nil
	case tok == "true" || tok == "false":
		return ednValue{kind: ednBool, text: tok}, nil
	case tok[0] == ':':
		if len(tok) == 1 {
			r.pos = start
			return ednValue{}, r.errorf("empty keyword")
		}
		return ednValue{kind: ednKeyword, text: tok}, nil
	case isNumberStart(tok):
		if !isNumber(tok) {
			r.pos = start
			return ednValue{}, r.errorf("bad number %q", tok)
		}
		return ednValue{kind: ednNumber, text: tok}, nil
	}
	return ednValue{kind: ednSymbol, text: tok}, nil
}

// nonDiscard reads the next value that a #_ does not discard.
func (r *ednReader) nonDiscard() (ednValue, error) {
	for {
		v, err := r.value()
		if err != nil || v.kind != 0 {
			return v, err
		}
	}
}

// token is the run of symbol characters at the reader's position.
func (r *ednReader) token() string {
	end := r.pos
	for end < len(r.s) && !strings.ContainsRune(" \t\r\n,;{}[]()\"", rune(r.s[end])) {
		end++
	}
	return r.s[r.pos:end]
}

func (r *ednReader) seq(closer byte, kind ednKind) (ednValue, error) {
	v := ednValue{kind: kind}
	for {
		r.skipSpace()
		if r.pos >= len(r.s) {
			return ednValue{}, r.errorf("%v: missing %q", errEnd, closer)
		}
		if r.s[r.pos] == closer {
			r.pos++
			return v, nil
		}
		item, err := r.value()
		if err != nil {
			return ednValue{}, err
		}
		if item.kind != 0 { // a #_ discard yields no item
			v.items = append(v.items, item)
		}
	}
}

func (r *ednReader) dispatch() (ednValue, error) {
	r.pos++ // '#'
	if r.pos < len(r.s) {
		switch r.s[r.pos] {
		case '{':
			r.pos++
			return r.seq('}', ednSet)
		case '_': // discard the next value: yields no value (kind 0)
			r.pos++
			if _, err := r.nonDiscard(); err != nil {
				return ednValue{}, err
			}
			return ednValue{}, nil
		}
	}
	tag := r.token()
	if tag == "" {
		return ednValue{}, r.errorf("'#' without a tag")
	}
	r.pos += len(tag)
	inner, err := r.nonDiscard()
	if err != nil {
		return ednValue{}, err
	}
	return ednValue{kind: ednTagged, text: tag, items: []ednValue{inner}}, nil
}

func (r *ednReader) str() (ednValue, error) {
	start := r.pos
	r.pos++ // opening quote
	var b strings.Builder
	for r.pos < len(r.s) {
		c := r.s[r.pos]
		switch c {
		case '"':
			r.pos++
			return ednValue{kind: ednString, text: b.String()}, nil
		case '\\':
			if r.pos+1 >= len(r.s) {
				r.pos = start
				return ednValue{}, r.errorf("unterminated string")
			}
			esc := r.s[r.pos+1]
			r.pos += 2
			switch esc {
			case '"', '\\':
				b.WriteByte(esc)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'u':
				if r.pos+4 > len(r.s) {
					return ednValue{}, r.errorf("short \\u escape")
				}
				n, err := strconv.ParseUint(r.s[r.pos:r.pos+4], 16, 16)
				if err != nil {
					return ednValue{}, r.errorf("bad \\u escape %q", r.s[r.pos:r.pos+4])
				}
				b.WriteRune(rune(n))
				r.pos += 4
			default:
				r.pos -= 2
				return ednValue{}, r.errorf("unknown escape \\%c in a string", esc)
			}
		default:
			b.WriteByte(c)
			r.pos++
		}
	}
	r.pos = start
	return ednValue{}, r.errorf("unterminated string")
}

func isNumberStart(tok string) bool {
	if tok[0] == '+' || tok[0] == '-' {
		tok = tok[1:]
	}
	return tok != "" && tok[0] >= '0' && tok[0] <= '9'
}

// isNumber accepts EDN integers and floats, with the N and M suffixes.
func isNumber(tok string) bool {
	t := strings.TrimRight(tok, "NM")
	if len(tok)-len(t) > 1 {
		return false
	}
	if _, err := strconv.ParseInt(t, 10, 64); err == nil {
		return true
	}
	if _, err := strconv.ParseFloat(t, 64); err == nil {
		return !strings.ContainsAny(t, "xXpP_") && !strings.EqualFold(strings.TrimLeft(t, "+-"), "inf")
	}
	// integers beyond int64 (the N suffix) are still integers
	digits := strings.TrimLeft(t, "+-")
	return len(t)-len(digits) <= 1 && digits != "" && strings.Trim(digits, "0123456789") == ""
}

// get returns the value of keyword key in a map.
func (v ednValue) get(key string) (ednValue, bool) {
	for i := 0; i+1 < len(v.items); i += 2 {
		if k := v.items[i]; k.kind == ednKeyword && k.text == key {
			return v.items[i+1], true
		}
	}
	return ednValue{}, false
}

// String prints the value back as EDN (numbers as written, strings quoted).
func (v ednValue) String() string {
	switch v.kind {
	case ednString:
		return strconv.Quote(v.text)
	case ednChar:
		return `\` + v.text
	case ednVector:
		return joinEDN("[", v.items, "]")
	case ednList:
		return joinEDN("(", v.items, ")")
	case ednMap:
		return joinEDN("{", v.items, "}")
	case ednSet:
		return joinEDN("#{", v.items, "}")
	case ednTagged:
		return "#" + v.text + " " + v.items[0].String()
	}
	return v.text
}

func joinEDN(open string, items []ednValue, closer string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.String()
	}
	return open + strings.Join(parts, " ") + closer
}
