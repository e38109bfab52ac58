package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The users list sorts in the language's order and its search ignores
// accents, case and ligatures, in both languages; the users come from the
// file French Excel saves ("CSV (séparateur: point-virgule)", Windows-1252).
func TestUsersCollation(t *testing.T) {
	csv, err := os.ReadFile(filepath.Join("..", "portal", "testdata", "excel-fr", "csv-point-virgule.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, language := range []string{"en", "fr"} {
		t.Run(language, func(t *testing.T) {
			a, d, _ := demoAssistant(t, language)
			t.Cleanup(func() { setLanguage("en") })
			signInFirstTime(t, a, d.ManagerID, d.TempPassword)
			tb := importThroughWindow(t, a, csv).table

			act(a, func() { tb.sortOn(colName) })
			want := []string{"Élodie Bézier", "François Lefèvre", "Hélène Dupré", "Lætitia Cœur", "Zoé O’Brien"}
			var got []string
			for _, i := range tb.shown {
				if slices.Contains(want, tb.all[i].Name) {
					got = append(got, tb.all[i].Name)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("sorted by name: %q", got)
			}

			for _, tc := range []struct{ query, want string }{
				{"helene dupre", "Hélène Dupré"},
				{"DUPRE Hélène", "Hélène Dupré"},
				{"elodie", "Élodie Bézier"},
				{"ÉLODIE BÉZIER", "Élodie Bézier"},
				{"laetitia coeur", "Lætitia Cœur"},
				{"o'brien", "Zoé O’Brien"},
				{"francois.lef", "François Lefèvre"},
			} {
				act(a, func() { tb.search.SetText(tc.query) })
				if len(tb.shown) != 1 || tb.all[tb.shown[0]].Name != tc.want {
					var names []string
					for _, i := range tb.shown {
						names = append(names, tb.all[i].Name)
					}
					t.Errorf("search %q: %q, want %q", tc.query, names, tc.want)
				}
			}
		})
	}
}
