package downloader

import (
	"encoding/json"
	"io"
	"os"
)

// maxMetaSize bounds the description read beside a partial file: it holds
// a URL, a hash and two validators.
const maxMetaSize = 64 << 10

// Kept is how many bytes a stopped transfer to dest kept for resuming the
// file with this SHA-256 (dest.part, described by dest.part.meta): what a
// front end shows of an interrupted download before it is resumed, also
// after a restart. 0 when nothing is kept, or when what is kept belongs to
// another file (the next Fetch discards it). Nothing is changed.
func Kept(dest, sha256 string) int64 {
	st, err := os.Stat(dest + ".part")
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 {
		return 0
	}
	f, err := os.Open(dest + ".part.meta")
	if err != nil {
		return 0
	}
	defer f.Close()
	var m partMeta
	if err := json.NewDecoder(io.LimitReader(f, maxMetaSize)).Decode(&m); err != nil || m.SHA256 != sha256 {
		return 0
	}
	return st.Size()
}
