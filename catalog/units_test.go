package catalog

import (
	"strings"
	"testing"
)

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want ByteSize
		err  string
	}{
		{"8 GiB", 8 << 30, ""},
		{"512MiB", 512 << 20, ""},
		{"2 GB", 2_000_000_000, ""},
		{"1.5 KiB", 1536, ""},
		{"0 B", 0, ""},
		{"8", 0, "with a unit"},
		{"8 gigs", 0, "with a unit"},
		{"-1 GiB", 0, "zero or more"},
		{"2 PiB", 0, "with a unit"},
		{"2000 TiB", 0, "larger than 1 PiB"},
		{"NaN GiB", 0, "want a size"},
		{"", 0, "with a unit"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseByteSize(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseByteSize(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestByteSizeJSONRoundTrip(t *testing.T) {
	for _, b := range []ByteSize{0, 1, 1023, 1 << 20, 1536 << 20, 1<<30 + 1, 8 << 30} {
		js, err := b.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseByteSize(strings.Trim(string(js), `"`))
		if err != nil || got != b {
			t.Errorf("%d marshals as %s, which reads back as %d, %v", b, js, got, err)
		}
	}
}

func TestParseFrequencyAndResolution(t *testing.T) {
	if f, err := ParseFrequency("2.5 GHz"); err != nil || f != 2500 {
		t.Errorf("2.5 GHz = %d, %v", f, err)
	}
	if f, err := ParseFrequency("800 MHz"); err != nil || f != 800 {
		t.Errorf("800 MHz = %d, %v", f, err)
	}
	for _, bad := range []string{"2.5", "fast", "-1 GHz", "2.5 Hz"} {
		if _, err := ParseFrequency(bad); err == nil {
			t.Errorf("ParseFrequency(%q) accepted it", bad)
		}
	}
	if r, err := ParseResolution("1920x1080"); err != nil || r != (Resolution{1920, 1080}) {
		t.Errorf("1920x1080 = %v, %v", r, err)
	}
	for _, bad := range []string{"1920", "0x1080", "1920x-1", "wide"} {
		if _, err := ParseResolution(bad); err == nil {
			t.Errorf("ParseResolution(%q) accepted it", bad)
		}
	}
}
