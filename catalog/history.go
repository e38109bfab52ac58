package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"onramp.dev/onramp/internal/atomicfile"
	"onramp.dev/onramp/internal/flock"
)

// ErrRollback means a catalog is older than one this machine has already
// accepted from the same publisher: replaying an old, still valid catalog
// would bring back releases the publisher has since replaced. It is an
// integrity failure (IsIntegrity).
var ErrRollback = errors.New("catalog is older than one already seen from this publisher")

// RollbackError names both issue times.
type RollbackError struct {
	KeyID  string
	Issued time.Time // the refused catalog's
	Newest time.Time // the newest seen from KeyID
}

func (e *RollbackError) Error() string {
	return fmt.Sprintf("%v: this one was issued %s, one issued %s (key %s) was already accepted; ask the publisher for a current catalog",
		ErrRollback, e.Issued.UTC().Format(time.RFC3339), e.Newest.UTC().Format(time.RFC3339), e.KeyID)
}

func (e *RollbackError) Is(target error) bool { return target == ErrRollback }

// History is the newest catalog issue time accepted per signing key, kept
// in a small JSON file. The envelope has no serial number; its issue time
// (to the second, covered by the signature) orders a publisher's catalogs.
// Reading the same catalog again is accepted. Several processes may use
// one file at once: each update holds a lock beside it and replaces the
// file by a rename, so no reader sees half a file and no update is lost.
type History struct {
	path string
}

// historyFormat names the file's format.
const historyFormat = "onramp-catalog-history/v1"

// maxHistoryBytes bounds the file: one small entry per publisher key.
const maxHistoryBytes = 1 << 20

type historyFile struct {
	Format string                  `json:"format"`
	Keys   map[string]historyEntry `json:"keys"` // by key ID
}

type historyEntry struct {
	Issued time.Time `json:"issued"` // the newest catalog's
	Seen   time.Time `json:"seen"`   // when it was first accepted here
}

// NewHistory keeps the history in the file at path; its folder is created
// on the first update.
func NewHistory(path string) *History { return &History{path: path} }

// Path is the history file.
func (h *History) Path() string { return h.path }

// Accept refuses v with a *RollbackError when any of its signers has
// already had a newer catalog accepted, and otherwise records v's issue
// time as each signer's newest.
func (h *History) Accept(v *Verified) error { return h.update(v, true) }

// Remember records v's issue time where it is newer than what is known,
// and never refuses: for a catalog pinned in a deployment folder, which
// is installed from on purpose even when the publisher has issued newer
// catalogs since.
func (h *History) Remember(v *Verified) error { return h.update(v, false) }

func (h *History) update(v *Verified, refuseOlder bool) error {
	if err := os.MkdirAll(filepath.Dir(h.path), 0o755); err != nil {
		return fmt.Errorf("catalog history: %w", err)
	}
	// No context to end the wait: another process holds the lock only for
	// one read and one write of a small file.
	l, err := flock.Acquire(context.Background(), h.path+".lock", nil)
	if err != nil {
		return fmt.Errorf("catalog history %s: %w", h.path, err)
	}
	defer l.Release()
	f, err := h.read()
	if err != nil {
		return err
	}
	issued := v.Issued.UTC()
	changed := false
	for _, id := range v.Signers {
		e, ok := f.Keys[id]
		if ok && issued.Before(e.Issued) {
			if refuseOlder {
				return &RollbackError{KeyID: id, Issued: issued, Newest: e.Issued}
			}
			continue
		}
		if !ok || issued.After(e.Issued) {
			f.Keys[id] = historyEntry{Issued: issued, Seen: time.Now().UTC().Truncate(time.Second)}
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return h.write(f)
}

func (h *History) read() (*historyFile, error) {
	f := &historyFile{Format: historyFormat, Keys: map[string]historyEntry{}}
	file, err := os.Open(h.path)
	if errors.Is(err, fs.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("catalog history: %w", err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, maxHistoryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("catalog history %s: %w", h.path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if len(data) > maxHistoryBytes || dec.Decode(f) != nil || f.Format != historyFormat || f.Keys == nil {
		// Not an integrity failure: the file is this user's own state.
		return nil, fmt.Errorf("catalog history %s is damaged: delete it (older catalogs are then accepted once more until a newer one is seen)", h.path)
	}
	return f, nil
}

// write replaces the file atomically.
func (h *History) write(f *historyFile) error {
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(h.path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("catalog history: %w", err)
	}
	return nil
}
