package archive

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
)

// readAhead gives fn every entry of walk in order with its exact bytes
// (small bodies read and hashed ahead, large ones streamed), stops at
// fn's first error, and returns walk's error after the entries before it.
func TestReadAhead(t *testing.T) {
	sizes := []int64{0, 1, 1000, SmallFile, SmallFile + 1, 3 << 20, 10}
	body := func(i int, n int64) []byte { return bytes.Repeat([]byte{byte('a' + i)}, int(n)) }
	walkAll := func(failAt int, failWith error) func(func(Entry, io.Reader) error) error {
		return func(fn func(Entry, io.Reader) error) error {
			for i := range 3 * aheadEntries {
				if i == failAt {
					return failWith
				}
				e := Entry{Name: fmt.Sprintf("f%03d", i), Kind: File, Size: sizes[i%len(sizes)]}
				r := io.Reader(bytes.NewReader(body(i%26, e.Size)))
				if i%5 == 4 {
					e = Entry{Name: fmt.Sprintf("d%03d", i), Kind: Dir}
					r = nil
				}
				if err := fn(e, r); err != nil {
					return err
				}
			}
			return nil
		}
	}
	t.Run("every entry, in order, with its bytes", func(t *testing.T) {
		i := 0
		err := readAhead(walkAll(-1, nil), Pool{Workers: 1}, func(e Entry, r io.Reader) error {
			if e.Kind == Dir {
				if r != nil || e.Name != fmt.Sprintf("d%03d", i) {
					t.Fatalf("entry %d: %s with a body", i, e.Name)
				}
				i++
				return nil
			}
			got, err := io.ReadAll(r)
			if err != nil {
				return err
			}
			if e.Name != fmt.Sprintf("f%03d", i) || !bytes.Equal(got, body(i%26, e.Size)) {
				t.Fatalf("entry %d: %s, %d bytes", i, e.Name, len(got))
			}
			if h, ok := r.(*Hashed); ok && h.Sum != sha256.Sum256(got) {
				t.Fatalf("entry %d: wrong sum", i)
			}
			i++
			return nil
		})
		if err != nil || i != 3*aheadEntries {
			t.Fatalf("%d entries, %v", i, err)
		}
	})
	t.Run("bodies left unread are skipped", func(t *testing.T) {
		n := 0
		if err := readAhead(walkAll(-1, nil), Pool{Workers: 1}, func(Entry, io.Reader) error { n++; return nil }); err != nil || n != 3*aheadEntries {
			t.Fatalf("%d entries, %v", n, err)
		}
	})
	t.Run("the writer's error stops the walk", func(t *testing.T) {
		full := errors.New("disk full")
		n := 0
		err := readAhead(walkAll(-1, nil), Pool{Workers: 1}, func(e Entry, r io.Reader) error {
			n++
			if n == 6 { // a large body, half read
				io.CopyN(io.Discard, r, 10)
				return full
			}
			return nil
		})
		if !errors.Is(err, full) || n != 6 {
			t.Fatalf("after %d entries: %v", n, err)
		}
	})
	t.Run("the archive's error after the entries before it", func(t *testing.T) {
		damaged := errors.New("damaged at entry 100")
		n := 0
		err := readAhead(walkAll(100, damaged), Pool{Workers: 1}, func(e Entry, r io.Reader) error {
			n++
			if r != nil {
				_, err := io.Copy(io.Discard, r)
				return err
			}
			return nil
		})
		if !errors.Is(err, damaged) || n != 100 {
			t.Fatalf("after %d entries: %v", n, err)
		}
	})
}

// With workers, readAhead gives fn every entry once with its exact bytes;
// folders come on the caller's goroutine in archive order, a hard link
// only once every entry before it is done, the symbolic links once every
// other entry is.
func TestReadAheadWorkers(t *testing.T) {
	// The workers from the first file, from the 50th (the first ones
	// created on the caller's goroutine), and never (fewer files than
	// Pool.After): the same guarantees.
	for _, after := range []int{0, 50, 4096} {
		t.Run(fmt.Sprint("pool after ", after), func(t *testing.T) { testReadAheadWorkers(t, Pool{Workers: 4, After: after}) })
	}
}

func testReadAheadWorkers(t *testing.T, pool Pool) {
	const n = 3 * aheadEntries
	sizes := []int64{0, 1, 1000, SmallFile, SmallFile + 1, 2 << 20, 10}
	body := func(i int, size int64) []byte { return bytes.Repeat([]byte{byte('a' + i%26)}, int(size)) }
	kind := func(i int) Kind {
		switch i % 11 {
		case 3:
			return Dir
		case 7:
			return Symlink
		case 10:
			return Hardlink
		}
		return File
	}
	walk := func(failAt int, failWith error) func(func(Entry, io.Reader) error) error {
		return func(fn func(Entry, io.Reader) error) error {
			for i := range n {
				if i == failAt {
					return failWith
				}
				e := Entry{Name: fmt.Sprintf("e%03d", i), Kind: kind(i)}
				var r io.Reader
				if e.Kind == File {
					e.Size = sizes[i%len(sizes)]
					r = bytes.NewReader(body(i, e.Size))
				}
				if err := fn(e, r); err != nil {
					return err
				}
			}
			if failAt >= n { // the checks at the end of the archive
				return failWith
			}
			return nil
		}
	}
	t.Run("every entry once, with its bytes; folders in order, links last", func(t *testing.T) {
		var mu sync.Mutex
		done := map[int]bool{}
		lastInOrder := -1
		err := readAhead(walk(-1, nil), pool, func(e Entry, r io.Reader) error {
			var i int
			fmt.Sscanf(e.Name, "e%03d", &i)
			if e.Kind == File {
				got, err := io.ReadAll(r)
				if err != nil {
					return err
				}
				if !bytes.Equal(got, body(i, e.Size)) {
					return fmt.Errorf("%s: %d bytes, not its own", e.Name, len(got))
				}
			}
			mu.Lock()
			defer mu.Unlock()
			switch e.Kind {
			case Dir, Hardlink:
				if i < lastInOrder {
					return fmt.Errorf("%s after e%03d", e.Name, lastInOrder)
				}
				lastInOrder = i
			case Symlink:
				for j := range n {
					if kind(j) != Symlink && !done[j] {
						return fmt.Errorf("link %s before entry %d is done", e.Name, j)
					}
				}
			}
			if e.Kind == Hardlink {
				for j := range i {
					if kind(j) != Symlink && !done[j] {
						return fmt.Errorf("hard link %s before entry %d is done", e.Name, j)
					}
				}
			}
			if done[i] {
				return fmt.Errorf("%s twice", e.Name)
			}
			done[i] = true
			return nil
		})
		if err != nil || len(done) != n {
			t.Fatalf("%d of %d entries: %v", len(done), n, err)
		}
	})
	t.Run("the writer's error stops the walk", func(t *testing.T) {
		full := errors.New("disk full")
		var calls atomic.Int32
		err := readAhead(walk(-1, nil), pool, func(e Entry, r io.Reader) error {
			calls.Add(1)
			if e.Name == "e005" { // a large body, partly read
				io.CopyN(io.Discard, r, 10)
				return full
			}
			return nil
		})
		if !errors.Is(err, full) || calls.Load() == n {
			t.Fatalf("after %d entries: %v", calls.Load(), err)
		}
	})
	t.Run("no link made when the archive fails its last checks", func(t *testing.T) {
		escapes := errors.New("a link leads out of the target")
		err := readAhead(walk(n, escapes), pool, func(e Entry, r io.Reader) error {
			if e.Kind == Symlink {
				return fmt.Errorf("link %s made", e.Name)
			}
			return nil
		})
		if !errors.Is(err, escapes) {
			t.Fatalf("%v, want the archive's error and no link", err)
		}
	})
	t.Run("the archive's error after the entries before it", func(t *testing.T) {
		damaged := errors.New("damaged at entry 100")
		var calls atomic.Int32
		err := readAhead(walk(100, damaged), pool, func(e Entry, r io.Reader) error {
			calls.Add(1)
			if r != nil {
				_, err := io.Copy(io.Discard, r)
				return err
			}
			return nil
		})
		want := 0 // every entry before it but the links, which come last
		for i := range 100 {
			if kind(i) != Symlink {
				want++
			}
		}
		if !errors.Is(err, damaged) || calls.Load() != int32(want) {
			t.Fatalf("after %d entries (want %d): %v", calls.Load(), want, err)
		}
	})
}
