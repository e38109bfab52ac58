package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The catalog is read in two passes: first into a tree that keeps every
// value's byte offset and refuses duplicate keys, then by a walker that
// checks the tree against the schema and collects every problem, each with
// its JSON path and line. encoding/json's DisallowUnknownFields stops at the
// first problem and cannot see duplicate keys; a publisher fixing a catalog
// wants the whole list at once.

// Limits that keep a hostile document from costing more than a real one.
const (
	maxDepth = 64
	// MaxPayloadBytes bounds a catalog's JSON (and a requirements file).
	MaxPayloadBytes = 16 << 20
)

type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

type member struct {
	key string
	val *node
}

type node struct {
	kind    kind
	off     int64 // byte offset where the value starts
	boolean bool
	str     string   // string value, or the literal of a number
	items   []*node  // array items
	members []member // object members in document order
	keys    map[string]int
}

func (n *node) get(key string) *node {
	if i, ok := n.keys[key]; ok {
		return n.members[i].val
	}
	return nil
}

// syntaxError is a JSON syntax problem at a byte offset.
type syntaxError struct {
	off int64
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

type treeReader struct {
	src []byte
	dec *json.Decoder
}

// readTree parses one JSON document into a tree. Trailing data after the
// document is an error.
func readTree(src []byte) (*node, error) {
	r := &treeReader{src: src, dec: json.NewDecoder(bytes.NewReader(src))}
	r.dec.UseNumber()
	root, err := r.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := r.dec.Token(); err != io.EOF {
		return nil, &syntaxError{off: r.dec.InputOffset(), msg: "unexpected data after the end of the document"}
	}
	return root, nil
}

// start returns the offset of the next value: the decoder's offset points at
// the end of the previous token, before any separator and blank space.
func (r *treeReader) start() int64 {
	off := r.dec.InputOffset()
	for off < int64(len(r.src)) {
		switch r.src[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

func (r *treeReader) token() (json.Token, error) {
	tok, err := r.dec.Token()
	if err != nil {
		off := r.dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, &syntaxError{off: int64(len(r.src)), msg: "unexpected end of document (truncated?)"}
		}
		return nil, &syntaxError{off: off, msg: err.Error()}
	}
	return tok, nil
}

func (r *treeReader) value(depth int) (*node, error) {
	off := r.start()
	if depth > maxDepth {
		return nil, &syntaxError{off: off, msg: fmt.Sprintf("nested deeper than %d levels", maxDepth)}
	}
	tok, err := r.token()
	if err != nil {
		return nil, err
	}
	n := &node{off: off}
	switch t := tok.(type) {
	case nil:
		n.kind = kindNull
	case bool:
		n.kind, n.boolean = kindBool, t
	case json.Number:
		n.kind, n.str = kindNumber, string(t)
	case string:
		n.kind, n.str = kindString, t
	case json.Delim:
		switch t {
		case '[':
			n.kind = kindArray
			for r.dec.More() {
				item, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
		case '{':
			n.kind = kindObject
			n.keys = map[string]int{}
			for r.dec.More() {
				keyOff := r.start()
				kt, err := r.token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, &syntaxError{off: keyOff, msg: "want an object key"}
				}
				if _, dup := n.keys[key]; dup {
					return nil, &syntaxError{off: keyOff, msg: fmt.Sprintf("duplicate key %q", key)}
				}
				val, err := r.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys[key] = len(n.members)
				n.members = append(n.members, member{key: key, val: val})
			}
		}
		if _, err := r.token(); err != nil { // the closing delimiter
			return nil, err
		}
	}
	return n, nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(src []byte, off int64) (line, col int) {
	if off > int64(len(src)) {
		off = int64(len(src))
	}
	before := src[:off]
	line = bytes.Count(before, []byte{'\n'}) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// Paths: products[2].releases[0].packages["windows/amd64"].sha256

func pathKey(path, key string) string {
	if isIdent(key) {
		if path == "" {
			return key
		}
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

func pathIndex(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9') {
			continue
		}
		return false
	}
	return true
}

// Problem is one thing wrong with a document.
type Problem struct {
	Path    string `json:"path"` // JSON path, "" for the whole document
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	where := p.Path
	if where == "" {
		where = "(document)"
	}
	return fmt.Sprintf("%s (line %d, column %d): %s", where, p.Line, p.Column, p.Message)
}

// InvalidError lists every problem found in a document. It matches ErrInvalid.
type InvalidError struct {
	Source   string // file name or URL, when known
	Problems []Problem
}

// ErrInvalid is matched by errors.Is for any document that breaks the schema.
var ErrInvalid = errors.New("invalid document")

func (e *InvalidError) Error() string {
	var b strings.Builder
	src := e.Source
	if src == "" {
		src = "document"
	}
	fmt.Fprintf(&b, "%s: %d problem", src, len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// walker checks a tree against the schema, collecting problems.
type walker struct {
	src      []byte
	problems []Problem
}

func (w *walker) fail(n *node, path, format string, args ...any) {
	var off int64
	if n != nil {
		off = n.off
	}
	line, col := lineCol(w.src, off)
	w.problems = append(w.problems, Problem{Path: path, Line: line, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (w *walker) want(n *node, path string, k kind) bool {
	if n.kind != k {
		w.fail(n, path, "want %s, found %s", k, n.kind)
		return false
	}
	return true
}

// field is how one member of an object is read.
type field struct {
	required bool
	read     func(n *node, path string)
}

// object checks n is an object with only the given fields, reads each
// present field, and reports missing required ones.
func (w *walker) object(n *node, path string, fields map[string]field) bool {
	if !w.want(n, path, kindObject) {
		return false
	}
	for _, m := range n.members {
		if _, ok := fields[m.key]; !ok {
			w.fail(m.val, pathKey(path, m.key), "unknown field (known: %s)", knownFields(fields))
		}
	}
	for _, name := range sortedKeys(fields) {
		f := fields[name]
		v := n.get(name)
		if v == nil {
			if f.required {
				w.fail(n, pathKey(path, name), "missing required field")
			}
			continue
		}
		f.read(v, pathKey(path, name))
	}
	return true
}

func knownFields(fields map[string]field) string {
	return strings.Join(sortedKeys(fields), ", ")
}

func (w *walker) array(n *node, path string, each func(i int, item *node, path string)) {
	if !w.want(n, path, kindArray) {
		return
	}
	for i, item := range n.items {
		each(i, item, pathIndex(path, i))
	}
}

// members walks an object used as a map.
func (w *walker) members(n *node, path string, each func(key string, val *node, path string)) {
	if !w.want(n, path, kindObject) {
		return
	}
	for _, m := range n.members {
		each(m.key, m.val, pathKey(path, m.key))
	}
}

func (w *walker) str(n *node, path string) (string, bool) {
	if !w.want(n, path, kindString) {
		return "", false
	}
	return n.str, true
}

// text reads a non-empty string of at most max bytes.
func (w *walker) text(n *node, path string, max int) string {
	s, ok := w.str(n, path)
	if !ok {
		return ""
	}
	switch {
	case strings.TrimSpace(s) == "":
		w.fail(n, path, "want a non-empty string")
	case len(s) > max:
		w.fail(n, path, "want at most %d bytes, found %d", max, len(s))
	}
	return s
}

func (w *walker) integer(n *node, path string, min, max int64) int64 {
	if !w.want(n, path, kindNumber) {
		return 0
	}
	v, err := strconv.ParseInt(n.str, 10, 64)
	if err != nil {
		w.fail(n, path, "want a whole number from %d to %d, found %s", min, max, n.str)
		return 0
	}
	if v < min || v > max {
		w.fail(n, path, "want a whole number from %d to %d, found %d", min, max, v)
		return 0
	}
	return v
}

func (w *walker) strings(n *node, path string, each func(s string, n *node, path string)) {
	w.array(n, path, func(_ int, item *node, p string) {
		if s, ok := w.str(item, p); ok {
			each(s, item, p)
		}
	})
}
