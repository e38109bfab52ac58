package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Results where the eye is: an error or a result set in a screen is of no
// use below the fold, and a field given the keyboard is of no use
// scrolled away. showObject scrolls every scroll container holding an
// object so that the object is on screen; the buttons call it when Tab
// gives them the keyboard, the screens when they report something.

// showObject lays out the scroll containers around o again (a label just
// shown has no room yet until the next frame would give it one) and
// scrolls each so that o is inside its viewport: the top of o when o is
// taller than the viewport.
func showObject(o fyne.CanvasObject) {
	if o == nil || !o.Visible() {
		return
	}
	d := fyne.CurrentApp().Driver()
	c := d.CanvasForObject(o)
	if c == nil || c.Content() == nil {
		return
	}
	for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		if scrolls := scrollsHolding(root, o); len(scrolls) > 0 {
			for _, s := range scrolls { // outermost first: the inner ones move with it
				scrollTo(s, o)
			}
			return
		}
	}
}

// showRefreshed draws again the container that holds a label just shown
// or hidden, at once (the window otherwise gave it room only at the next
// resize), then scrolls it into view.
func showRefreshed(holder fyne.CanvasObject, o fyne.CanvasObject) {
	if holder != nil {
		holder.Refresh()
	}
	showObject(o)
}

// scrollTo moves s so that o, somewhere in its content, is in its
// viewport.
func scrollTo(s *container.Scroll, o fyne.CanvasObject) {
	s.Refresh() // lays the content out with o's new size
	if s.Direction == container.ScrollHorizontalOnly || s.Direction == container.ScrollNone {
		return
	}
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s).Y + s.Offset.Y
	off, view := s.Offset.Y, s.Size().Height
	if bottom := top + o.Size().Height; bottom > off+view {
		off = bottom - view
	}
	if top < off {
		off = top
	}
	if off = max(min(off, s.Content.Size().Height-view), 0); off != s.Offset.Y {
		s.ScrollToOffset(fyne.NewPos(s.Offset.X, off))
	}
}

// scrollsHolding is the chain of scroll containers from root down to o,
// outermost first; nil when o is not under root, or under no scroll. It
// walks the containers and the widgets that hold others the screens use
// (a widget's own parts are its own business: none holds a scroll of
// ours).
func scrollsHolding(root, o fyne.CanvasObject) []*container.Scroll {
	var path []*container.Scroll
	var walk func(n fyne.CanvasObject) bool
	walk = func(n fyne.CanvasObject) bool {
		if n == nil || !n.Visible() {
			return false
		}
		if n == o {
			return true
		}
		switch w := n.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				if walk(c) {
					return true
				}
			}
		case *container.Scroll:
			path = append(path, w)
			if walk(w.Content) {
				return true
			}
			path = path[:len(path)-1]
		case *widget.Form:
			for _, it := range w.Items {
				if walk(it.Widget) {
					return true
				}
			}
		case *container.AppTabs:
			if it := w.Selected(); it != nil {
				return walk(it.Content)
			}
		case *container.Split:
			return walk(w.Leading) || walk(w.Trailing)
		case *errorLabel:
			return walk(w.text)
		}
		return false
	}
	if !walk(root) {
		return nil
	}
	return path
}

// focusShown gives f the keyboard and brings it on screen.
func (a *Assistant) focusShown(f fyne.Focusable) {
	if f == nil || a.win == nil {
		return
	}
	a.win.Canvas().Focus(f)
	if o, ok := f.(fyne.CanvasObject); ok {
		showObject(o)
	}
}

// fixedWidth lays its one object out at a width of its own (a side
// panel beside a table that takes the rest), and the height it is given.
type fixedWidth float32

func (w fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objects {
		if o.Visible() {
			h = max(h, o.MinSize().Height)
		}
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}
