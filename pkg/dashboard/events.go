package dashboard

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// broadcaster fans dashboard events out to the open pages' event streams.
type broadcaster struct {
	mu   sync.Mutex
	subs map[chan sse]struct{}
}

// sse is one Server-Sent Event.
type sse struct{ event, data string }

func newBroadcaster() *broadcaster { return &broadcaster{subs: make(map[chan sse]struct{})} }

// publish sends an event to every subscriber that keeps up; a page that is
// behind misses it, and catches up with the next one (each makes it refresh).
func (b *broadcaster) publish(event, data string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- sse{event, data}:
		default:
		}
	}
}

func (b *broadcaster) subscribe() (<-chan sse, func()) {
	ch := make(chan sse, 8)
	b.mu.Lock()
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}
}

// serveEvents is the page's event stream: "block" with the height of each new
// block, "status" when the node connection changes.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	ch, unsubscribe := s.events.subscribe()
	defer unsubscribe()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	state := "problem"
	if s.Conn().Connected {
		state = "connected"
	}
	fmt.Fprintf(w, "retry: 2000\nevent: status\ndata: %s\n\n", state)
	flusher.Flush()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case e := <-ch:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.event, e.data)
		}
		flusher.Flush()
	}
}
