package installer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"onramp.dev/onramp/catalog"
	"onramp.dev/onramp/installer/archive"
)

// The zip format's numbers these tests write: Info-ZIP's Unicode Path
// extra field, the encryption flags and WinZip's AES method.
const (
	zipUnicodePath   = 0x7075
	zipFlagEncrypted = 0x1
	zipFlagStrong    = 0x40
	zipMethodAES     = 99
)

// zipMember is one entry of a zip a test writes byte for byte.
type zipMember struct {
	name   string // raw bytes
	extra  []byte
	flags  uint16
	method uint16
	raw    []byte // with method set: the stored data, as compressed
}

func legacyZip(t *testing.T, members ...zipMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate, NonUTF8: true, Extra: m.extra, Flags: m.flags}
		h.SetMode(0o644)
		if m.method != 0 {
			h.Method, h.CRC32, h.CompressedSize64, h.UncompressedSize64 = m.method, 1, uint64(len(m.raw)), 100
			w, err := zw.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(m.raw)
			continue
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("body"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// unicodePathField is an Info-ZIP Unicode Path extra field for a legacy name.
func unicodePathField(legacy, name string) []byte {
	b := binary.LittleEndian.AppendUint16(nil, zipUnicodePath)
	b = binary.LittleEndian.AppendUint16(b, uint16(5+len(name)))
	b = append(b, 1)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE([]byte(legacy)))
	return append(b, name...)
}

// Zip names without the UTF-8 flag are read as unzip, bsdtar and 7-Zip
// read them: the Unicode Path field when it matches the name, UTF-8 when
// the bytes are UTF-8, CP437 otherwise, or the code page the user names;
// a name never gains folders on the way.
func TestZipLegacyNames(t *testing.T) {
	// 表 in Shift-JIS is 0x95 0x5C: its second byte is a backslash.
	const sjisTable = "\x95\x5c\x8e\xa6.txt" // 表示.txt
	tests := []struct {
		name     string
		codePage string
		members  []zipMember
		want     []string // names on disk; nil with refused set
		refused  string
	}{
		{"debian-zip-utf8-without-flag", "", []zipMember{{name: "Résumé/cv.txt"}}, []string{"Résumé/cv.txt"}, ""},
		{"archive-utility-cjk", "", []zipMember{{name: "世界.txt"}}, []string{"世界.txt"}, ""},
		{"cp437-when-not-utf8", "", []zipMember{{name: "caf\x82.txt"}}, []string{"café.txt"}, ""},
		{"unicode-path-field", "", []zipMember{{name: "caf\x82.txt", extra: unicodePathField("caf\x82.txt", "Café crème.txt")}}, []string{"Café crème.txt"}, ""},
		{"unicode-path-field-stale-crc", "", []zipMember{{name: "caf\x82.txt", extra: unicodePathField("other name", "renamed.txt")}}, []string{"café.txt"}, ""},
		{"shift-jis-named", "Shift_JIS", []zipMember{{name: sjisTable}}, []string{"表示.txt"}, ""},
		{"shift-jis-label", "sjis", []zipMember{{name: "\x83\x5c\x83\x74\x83\x67/" + sjisTable}}, []string{"ソフト/表示.txt"}, ""},
		{"shift-jis-as-cp437-refused", "", []zipMember{{name: sjisTable}}, nil, "it would split into folders"},
		{"windows-1252-named", "windows-1252", []zipMember{{name: "caf\xe9 \x80.txt"}}, []string{"café €.txt"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := New(Options{StateDir: t.TempDir(), Scope: ScopeUser, ZipCodePage: tt.codePage})
			if err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(t.TempDir(), "atlas")
			pkg := writePackage(t, legacyZip(t, tt.members...), catalog.FormatZip, "1.0.0")
			_, err = in.Install(context.Background(), pkg, target)
			if tt.refused != "" {
				var ae *archive.Error
				if !errors.As(err, &ae) || !strings.Contains(err.Error(), tt.refused) || ae.Entry == "" {
					t.Fatalf("got %v, want a refusal naming the entry, with %q", err, tt.refused)
				}
				if _, err := os.Stat(target); err == nil {
					t.Errorf("a refused archive left %s", target)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			filepath.WalkDir(target, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(target, p)
					got = append(got, filepath.ToSlash(rel))
				}
				return nil
			})
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("on disk %q, want %q", got, tt.want)
			}
			if tt.codePage != "" {
				// A repair reads the names in the same code page.
				os.Remove(filepath.Join(target, filepath.FromSlash(tt.want[0])))
				plain := newInstallerAt(t, in.opt.StateDir)
				if _, err := plain.Repair(context.Background(), "atlas"); err != nil {
					t.Fatal(err)
				}
				if v, err := plain.Verify(context.Background(), "atlas"); err != nil || !v.OK() {
					t.Errorf("verify after repair: %+v %v", v, err)
				}
			}
		})
	}
}

func newInstallerAt(t *testing.T, state string) *Installer {
	t.Helper()
	in, err := New(Options{StateDir: state, Scope: ScopeUser})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestZipCodePageUnknown(t *testing.T) {
	_, err := New(Options{StateDir: t.TempDir(), ZipCodePage: "klingon"})
	if !errors.Is(err, archive.ErrUnknownCodePage) || !strings.Contains(err.Error(), "klingon") {
		t.Fatalf("got %v", err)
	}
	for _, name := range []string{"IBM437", "cp437", "Shift_JIS", "windows-1252", "ISO-8859-1", "GBK", "Big5", "EUC-KR", "utf-8"} {
		if err := archive.CheckZipCodePage(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Encrypted entries and compression methods Onramp does not read are
// refused in words, naming the entry, before anything is written.
func TestZipEncryptedAndMethods(t *testing.T) {
	tests := []struct {
		name   string
		member zipMember
		want   string
	}{
		{"zipcrypto", zipMember{name: "secret.txt", flags: zipFlagEncrypted, method: zip.Deflate, raw: bytes.Repeat([]byte{0x5a}, 40)}, `entry "secret.txt": is encrypted (ZipCrypto`},
		{"strong", zipMember{name: "secret.txt", flags: zipFlagEncrypted | zipFlagStrong, method: zip.Deflate, raw: bytes.Repeat([]byte{0x5a}, 40)}, `entry "secret.txt": is encrypted (PKWARE strong`},
		{"aes", zipMember{name: "secret.txt", flags: zipFlagEncrypted, method: zipMethodAES, raw: bytes.Repeat([]byte{0x5a}, 40)}, `entry "secret.txt": is encrypted (WinZip AES`},
		{"bzip2", zipMember{name: "data.bin", method: 12, raw: []byte("BZh91AY&SY")}, `entry "data.bin": uses compression method 12 (bzip2), which Onramp does not read`},
		{"lzma", zipMember{name: "data.bin", method: 14, raw: []byte("xx")}, "uses compression method 14 (LZMA)"},
		{"unknown", zipMember{name: "data.bin", method: 77, raw: []byte("xx")}, "uses compression method 77 (not one the zip format defines)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertRefused(t, writePackage(t, legacyZip(t, tt.member), catalog.FormatZip, "1.0.0"), tt.want)
		})
	}
}
