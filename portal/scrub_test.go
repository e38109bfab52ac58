package portal

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"onramp.dev/onramp/internal/pgtest"
)

// Once a start email is delivered, its temporary password is in no byte
// of the database: not in the main file, not in the write-ahead log, not
// in a freed page. Read while the service still has the file open, as a
// copy of it taken at any moment would be.
func TestTemporaryPasswordLeavesNoTraceAfterDelivery(t *testing.T) {
	if pgtest.OnPostgres() {
		t.Skip("reads SQLite's files; on PostgreSQL the old row goes at the next vacuum (README)")
	}
	tests := []struct {
		name    string
		deliver bool
		want    bool // the temporary password is still in the files
	}{
		{"queued", false, true}, // the outbox must hold it until it is sent
		{"delivered", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPortal(t)
			ctx := context.Background()
			var temps []string
			for _, email := range []string{"ana@acme.example", "bo@acme.example"} {
				_, temp := p.newContract(t, email, "atlas")
				temps = append(temps, temp)
			}
			if tt.deliver {
				out, err := p.store.Outbox(ctx, true)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range out {
					if err := p.store.MarkSent(ctx, e.ID, time.Now()); err != nil {
						t.Fatal(err)
					}
				}
			}
			for _, temp := range temps {
				found := ""
				for _, f := range []string{p.db, p.db + "-wal", p.db + "-journal"} {
					b, err := os.ReadFile(f)
					if err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
					if bytes.Contains(b, []byte(temp)) {
						found = filepath.Base(f)
					}
				}
				if (found != "") != tt.want {
					t.Errorf("temporary password found in %q, want found=%v", found, tt.want)
				}
			}
		})
	}
}
