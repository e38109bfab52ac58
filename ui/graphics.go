package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"fyne.io/fyne/v2/lang"
	"github.com/go-gl/glfw/v3.3/glfw"
)

// GraphicsError is a window that cannot open: no graphics driver gives
// the OpenGL 2.1 context Fyne draws with (virtual machines and remote
// desktop sessions often have only Windows' OpenGL 1.1).
type GraphicsError struct{ Err error }

func (e *GraphicsError) Error() string {
	return fmt.Sprintf("no usable OpenGL 2.1 graphics driver: %v", e.Err)
}

func (e *GraphicsError) Unwrap() error { return e.Err }

// graphicsPanic tells whether a panic raised while the window starts is
// the graphics library's (GLFW's) own error, which says the driver failed,
// and returns it as a GraphicsError; any other panic is a bug, nil here.
func graphicsPanic(r any) *GraphicsError {
	var ge *glfw.Error
	if err, ok := r.(error); ok && errors.As(err, &ge) {
		return &GraphicsError{Err: ge}
	}
	return nil
}

// graphicsFailureText is the message shown when the window cannot open:
// the cause in words, what to do, the command-line program that does the
// same work (cli: its path, beside this one), and the driver's own words.
func graphicsFailureText(language, cli string, err error) (title, text string) {
	setLanguage(language)
	title = lang.L("Onramp cannot open its window")
	text = lang.L("This computer has no graphics driver with OpenGL 2.1, which the Onramp window needs. Virtual machines and remote desktop sessions often have none.") + "\n\n" +
		lang.L("Install or update the graphics driver, or use the command-line program, which does the same work:") +
		"\n\n    \"" + cli + "\" --help\n\n" +
		lang.L("Cause:") + " " + err.Error()
	return title, text
}

// platformError is the last line GLFW logged, without log's date and
// time, or a sentence when it logged nothing.
func platformError(logged string) string {
	lines := strings.Split(strings.TrimSpace(logged), "\n")
	last := logDate.ReplaceAllString(strings.TrimSpace(lines[len(lines)-1]), "")
	if last == "" {
		return "no window with an OpenGL context could be made"
	}
	return last
}

var logDate = regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d(\.\d+)? `)

// commandLineProgram is the path of the command-line program beside this
// one (assistant.exe beside Onramp.exe), or its bare name.
func commandLineProgram() string {
	name := "assistant"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if self, err := os.Executable(); err == nil {
		return filepath.Join(filepath.Dir(self), name)
	}
	return name
}

// RecoverGraphics, deferred around the window's run, turns a panic of
// the graphics library (a driver that failed after CheckGraphics passed)
// into the same message as CheckGraphics' and exit code 1, instead of a
// Go stack trace that a double-click never shows. Other panics go on.
func RecoverGraphics(language string) {
	r := recover()
	if r == nil {
		return
	}
	ge := graphicsPanic(r)
	if ge == nil {
		panic(r)
	}
	ShowGraphicsFailure(language, ge)
	os.Exit(1)
}

// ShowGraphicsFailure says err (a GraphicsError) on stderr and, on
// Windows, in a message box: a program started by a double-click has no
// console.
func ShowGraphicsFailure(language string, err error) {
	title, text := graphicsFailureText(language, commandLineProgram(), err)
	fmt.Fprintf(os.Stderr, "%s\n%s\n", title, text)
	messageBox(title, text)
}
