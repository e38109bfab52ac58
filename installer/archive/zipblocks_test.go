package archive

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
)

// zipBlocks gives what the file holds at any offset and length: across
// blocks, at the end, past it, from several goroutines at once.
func TestZipBlocks(t *testing.T) {
	data := make([]byte, 3*zipBlockSize+12345)
	for i := range data {
		data[i] = byte(i*7 + i/251)
	}
	z := newZipBlocks(bytes.NewReader(data), int64(len(data)))
	check := func(r *rand.Rand) error {
		for range 500 {
			off := r.Int64N(int64(len(data)) + 10)
			n := r.IntN(2 * zipBlockSize)
			if r.IntN(2) == 0 {
				n = r.IntN(5000)
			}
			p := make([]byte, n)
			got, err := z.ReadAt(p, off)
			want := max(0, min(n, len(data)-int(off)))
			if got != want || !bytes.Equal(p[:got], data[min(off, int64(len(data))):min(off, int64(len(data)))+int64(want)]) {
				return errors.New("wrong bytes")
			}
			if (got < n) != (err != nil) || (err != nil && err != io.EOF) {
				return errors.New("wrong error: " + err.Error())
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = check(rand.New(rand.NewPCG(uint64(i), 1))) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
