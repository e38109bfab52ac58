package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
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
	// An object never drawn yet (a label just shown) has no canvas known
	// to the driver: then every window is searched.
	var canvases []fyne.Canvas
	if c := d.CanvasForObject(o); c != nil {
		canvases = append(canvases, c)
	} else {
		for _, w := range d.AllWindows() {
			canvases = append(canvases, w.Canvas())
		}
	}
	for _, c := range canvases {
		if c.Content() == nil {
			continue
		}
		for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
			if scrolls, path := scrollsHolding(root, o); len(scrolls) > 0 {
				relayout(path)
				for _, s := range scrolls { // outermost first: the inner ones move with it
					scrollTo(s, o)
				}
				return
			}
		}
	}
}

// relayout lays out again, top down, the containers from the outermost
// scroll's content down to an object whose size changed, and sizes each
// scroll's content to its new height: the window would do so at its next
// frame, after the scroll was computed. Only the path is laid out, not
// every widget of the screen (refreshing a screen with a long wrapped
// text costs a second).
func relayout(path []fyne.CanvasObject) {
	for _, n := range path {
		switch w := n.(type) {
		case *container.Scroll:
			size := w.Size()
			min := w.Content.MinSize()
			if w.Direction == container.ScrollVerticalOnly {
				min.Width = size.Width
			}
			w.Content.Resize(min.Max(size))
		case *fyne.Container:
			if w.Layout != nil {
				w.Layout.Layout(w.Objects, w.Size())
			}
		case *widget.Form:
			w.Refresh()
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
	off = max(min(off, s.Content.Size().Height-view), 0)
	s.Offset.Y = off - 1 // so that ScrollToOffset redraws the bars for the content's new height
	s.ScrollToOffset(fyne.NewPos(s.Offset.X, off))
}

// scrollsHolding is the chain of scroll containers from root down to o,
// outermost first, and the objects from the outermost of them down to o's
// parent; nil when o is not under root, or under no scroll. It walks the
// containers and the widgets that hold others the screens use (a widget's
// own parts are its own business: none holds a scroll of ours).
func scrollsHolding(root, o fyne.CanvasObject) ([]*container.Scroll, []fyne.CanvasObject) {
	var scrolls []*container.Scroll
	var nodes []fyne.CanvasObject
	var walk func(n fyne.CanvasObject) bool
	walk = func(n fyne.CanvasObject) bool {
		if n == nil || !n.Visible() {
			return false
		}
		if n == o {
			return true
		}
		nodes = append(nodes, n)
		found := false
		switch w := n.(type) {
		case *fyne.Container:
			for _, c := range w.Objects {
				if found = walk(c); found {
					break
				}
			}
		case *container.Scroll:
			scrolls = append(scrolls, w)
			if found = walk(w.Content); !found {
				scrolls = scrolls[:len(scrolls)-1]
			}
		case *widget.Form:
			for _, it := range w.Items {
				if found = walk(it.Widget); found {
					break
				}
			}
		case *container.AppTabs:
			if it := w.Selected(); it != nil {
				found = walk(it.Content)
			}
		case *container.Split:
			found = walk(w.Leading) || walk(w.Trailing)
		case *errorLabel:
			found = walk(w.text)
		case *checkList:
			found = walk(w.box)
		case *radioList:
			found = walk(w.box)
		}
		if !found {
			nodes = nodes[:len(nodes)-1]
		}
		return found
	}
	if !walk(root) || len(scrolls) == 0 {
		return nil, nil
	}
	for i, n := range nodes {
		if n == scrolls[0] {
			return scrolls, nodes[i:]
		}
	}
	return scrolls, nil
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

// besideOrOver lays out a main object and a side panel of a fixed width
// at its right: beside it when the window has room for both, over its
// right part otherwise (an 800-pixel window), so that opening the panel
// never makes the window wider. Objects: the main one, then the panel.
type besideOrOver struct{ width float32 }

func (l besideOrOver) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var min fyne.Size
	for _, o := range objects {
		if o.Visible() {
			min = min.Max(o.MinSize())
		}
	}
	if len(objects) > 1 && objects[1].Visible() {
		min.Width = max(min.Width, l.width)
	}
	return min
}

func (l besideOrOver) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	if len(objects) == 0 {
		return
	}
	main := objects[0]
	main.Move(fyne.NewPos(0, 0))
	if len(objects) < 2 || !objects[1].Visible() {
		main.Resize(size)
		return
	}
	side := objects[1]
	w := min(l.width, size.Width)
	side.Move(fyne.NewPos(size.Width-w, 0))
	side.Resize(fyne.NewSize(w, size.Height))
	if room := size.Width - w - theme.Padding(); room >= main.MinSize().Width {
		main.Resize(fyne.NewSize(room, size.Height))
	} else {
		main.Resize(size) // the panel lies over its right part
	}
}

// panelBackground is the theme's background colour under a panel that
// may lie over the table, with a line at its left edge.
type panelBackground struct{ widget.BaseWidget }

func newPanelBackground() *panelBackground {
	b := &panelBackground{}
	b.ExtendBaseWidget(b)
	return b
}

func (b *panelBackground) CreateRenderer() fyne.WidgetRenderer {
	r := &panelBackgroundRenderer{b: b, fill: canvas.NewRectangle(color.Transparent), edge: canvas.NewRectangle(color.Transparent)}
	r.Refresh()
	return r
}

type panelBackgroundRenderer struct {
	b          *panelBackground
	fill, edge *canvas.Rectangle
}

func (r *panelBackgroundRenderer) Layout(size fyne.Size) {
	r.fill.Resize(size)
	r.edge.Resize(fyne.NewSize(1, size.Height))
}

func (r *panelBackgroundRenderer) MinSize() fyne.Size { return fyne.Size{} }

func (r *panelBackgroundRenderer) Refresh() {
	th, v := r.b.Theme(), fyne.CurrentApp().Settings().ThemeVariant()
	r.fill.FillColor = th.Color(theme.ColorNameBackground, v)
	r.edge.FillColor = th.Color(theme.ColorNameSeparator, v)
	r.fill.Refresh()
	r.edge.Refresh()
}

func (r *panelBackgroundRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.fill, r.edge}
}

func (r *panelBackgroundRenderer) Destroy() {}
