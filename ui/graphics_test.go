package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// A panic of GLFW (its error value) is a graphics failure; any other
// panic is not, and must go on as a panic.
func TestGraphicsPanicDecision(t *testing.T) {
	gerr := &glfw.Error{Code: glfw.VersionUnavailable, Desc: "WGL: Driver does not support OpenGL version 2.1"}
	if ge := graphicsPanic(gerr); ge == nil || !errors.Is(ge, gerr) {
		t.Fatalf("GLFW's panic: %v, want a GraphicsError wrapping it", ge)
	}
	if ge := graphicsPanic(fmt.Errorf("painter: %w", gerr)); ge == nil {
		t.Fatal("a wrapped GLFW error is a graphics failure too")
	}
	for _, r := range []any{"index out of range", errors.New("nil map"), 3, nil} {
		if ge := graphicsPanic(r); ge != nil {
			t.Errorf("panic %v taken for a graphics failure: %v", r, ge)
		}
	}
}

// The message names the cause (OpenGL 2.1, the driver's words), the way
// out (the command-line program, by its path) in English and French.
func TestGraphicsFailureText(t *testing.T) {
	defer setLanguage("en")
	cause := &GraphicsError{Err: &glfw.Error{Code: glfw.VersionUnavailable, Desc: "Requested client API version 2.1, got version 1.1"}}
	cli := `C:\Program Files\Onramp\assistant.exe`
	for _, c := range []struct{ language, title, words string }{
		{"en", "Onramp cannot open its window", "use the command-line program"},
		{"fr", "Onramp ne peut pas ouvrir sa fenêtre", "utilisez le programme en ligne de commande"},
	} {
		title, text := graphicsFailureText(c.language, cli, cause)
		if title != c.title {
			t.Errorf("%s: title %q, want %q", c.language, title, c.title)
		}
		for _, want := range []string{"OpenGL 2.1", c.words, `"` + cli + `" --help`, "got version 1.1"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the message does not say %q:\n%s", c.language, want, text)
			}
		}
	}
}

// The driver's own words, as GLFW logged them, become the cause.
func TestPlatformErrorFromLog(t *testing.T) {
	for logged, want := range map[string]string{
		"2026/12/07 17:02:08 PlatformError: WGL: Failed to set pixel format for dummy context: Invalid window handle. \n": "PlatformError: WGL: Failed to set pixel format for dummy context: Invalid window handle.",
		"2026/12/07 17:02:08 first\n2026/12/07 17:02:09 PlatformError: WGL: no ICD\n":                                     "PlatformError: WGL: no ICD",
		"": "no window with an OpenGL context could be made",
	} {
		if got := platformError(logged); got != want {
			t.Errorf("platformError(%q) = %q, want %q", logged, got, want)
		}
	}
}
