package portal

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"onramp.dev/onramp/api"
)

// The files French Excel writes, as it writes them: ";" between fields,
// CRLF, Windows-1252 for plain "CSV", a byte-order mark for "CSV UTF-8".
func TestExcelCSV(t *testing.T) {
	names := []string{"Élodie Bézier", "Hélène Dupré", "François Lefèvre", "Lætitia Cœur", "Zoé O’Brien"}
	for _, file := range []string{"csv-point-virgule.csv", "csv-utf8.csv", "csv-virgule.csv"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "excel-fr", file))
			if err != nil {
				t.Fatal(err)
			}
			rows, bad := parseUsersCSV(data)
			if len(bad) > 0 {
				t.Fatalf("refused: %+v", bad)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.name)
			}
			if !slices.Equal(got, names) {
				t.Fatalf("names %q, want %q", got, names)
			}
			if !slices.Equal(rows[0].products, []string{"atlas", "quill"}) || len(rows[0].benefits) != 2 || rows[1].role != RoleCoordinator || rows[4].line != 6 {
				t.Errorf("first line %+v, second %+v, last %+v", rows[0], rows[1], rows[4])
			}
		})
	}
	refused := []struct {
		name     string
		data     func() []byte
		encoding string
	}{
		{"texte-unicode", func() []byte {
			b, _ := os.ReadFile(filepath.Join("testdata", "excel-fr", "texte-unicode.txt"))
			return b
		}, "UTF-16"},
		{"utf16-without-mark", func() []byte { return []byte("e\x00m\x00a\x00i\x00l\x00\r\x00\n\x00") }, "UTF-16"},
		{"byte-windows-1252-lacks", func() []byte { return []byte("email;name\r\na@acme.example;A\x81b\r\n") }, ""},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			rows, bad := parseUsersCSV(tc.data())
			if len(rows) != 0 || len(bad) != 1 || bad[0].Code != api.RowBadEncoding || bad[0].Value != tc.encoding || bad[0].Line != 1 {
				t.Fatalf("rows %d, bad %+v", len(rows), bad)
			}
		})
	}
}

// The separator is read from the header line, outside quotes.
func TestHeaderSeparator(t *testing.T) {
	tests := []struct {
		name, data string
		want       rune
	}{
		{"comma", "email,name\na;b;c;d\n", ','},
		{"semicolon", "email;name\r\na,b,c\r\n", ';'},
		{"quoted-commas", "\"e,m,a,i,l\";name;role\n", ';'},
		{"one-column", "email\n", ','},
		{"no-newline", "email;name", ';'},
	}
	for _, tc := range tests {
		if got := headerSeparator([]byte(tc.data)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// A NUL inside a field is that line's bad name, not a file in UTF-16.
func TestNULInFieldIsALineError(t *testing.T) {
	rows, bad := parseUsersCSV([]byte("email,name\na@acme.example,A\x00B\n"))
	if len(rows) != 1 || len(bad) != 1 || bad[0].Code != api.RowBadName || bad[0].Line != 2 {
		t.Fatalf("rows %d, bad %+v", len(rows), bad)
	}
}
