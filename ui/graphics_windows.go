package ui

import (
	"bytes"
	"errors"
	"io"
	"log"

	"github.com/go-gl/glfw/v3.3/glfw"
	"golang.org/x/sys/windows"
)

// CheckGraphics opens, hidden, the OpenGL 2.1 context the window will
// need, and closes it: where the driver cannot give one, Fyne logs the
// failure and its window never shows, or GLFW panics, so the window
// starts only after this passes. It runs on the main thread, before the
// app, as GLFW requires.
func CheckGraphics() (err error) {
	defer func() {
		if r := recover(); r != nil {
			if ge := graphicsPanic(r); ge != nil {
				err = ge
				return
			}
			panic(r)
		}
	}()
	// GLFW logs a platform error (the driver's own words) and returns
	// nothing: keep it for the message.
	var logged bytes.Buffer
	prev := log.Writer()
	log.SetOutput(io.MultiWriter(prev, &logged))
	defer log.SetOutput(prev)
	if err := glfw.Init(); err != nil {
		return &GraphicsError{Err: err}
	}
	defer glfw.Terminate()
	glfw.DefaultWindowHints()
	glfw.WindowHint(glfw.Visible, glfw.False)
	glfw.WindowHint(glfw.ContextVersionMajor, 2)
	glfw.WindowHint(glfw.ContextVersionMinor, 1)
	w, err := glfw.CreateWindow(16, 16, "Onramp", nil, nil)
	if err != nil {
		return &GraphicsError{Err: err}
	}
	if w == nil { // GLFW logged a platform error and made no window
		return &GraphicsError{Err: errors.New(platformError(logged.String()))}
	}
	w.Destroy()
	return nil
}

func messageBox(title, text string) {
	t, err1 := windows.UTF16PtrFromString(title)
	m, err2 := windows.UTF16PtrFromString(text)
	if err1 != nil || err2 != nil {
		return
	}
	windows.MessageBox(0, m, t, windows.MB_OK|windows.MB_ICONERROR|windows.MB_SETFOREGROUND)
}
