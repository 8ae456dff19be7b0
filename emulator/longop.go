package emulator

import (
	"encoding/xml"
	"io"
	"net/http"
	"time"
)

// keepAliveEvery is how often a long operation sends a space while it
// runs.
const keepAliveEvery = 5 * time.Second

// longOperation sends 200 and the XML declaration at once, a space every
// keepAliveEvery while op runs, then op's result, or its error as an
// <Error> document inside the 200 body (S3 API reference, CopyObject: "a
// 200 OK response can contain either a success or an error").
func (s *Server) longOperation(w http.ResponseWriter, c *call, op func() (any, error)) error {
	t := time.NewTicker(keepAliveEvery)
	defer t.Stop()
	return runLongOperation(w, c, op, t.C)
}

// runLongOperation is longOperation with the keep-alive driven by ticks:
// a space for each tick received while op runs. The goroutine that sends
// them has ended before the result is written, so the result comes after
// every space and nothing writes to w once the handler has returned.
func runLongOperation(w http.ResponseWriter, c *call, op func() (any, error), ticks <-chan time.Time) error {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, xml.Header)
	flush(w)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-stop:
				return
			case <-ticks:
				io.WriteString(w, " ")
				flush(w)
			}
		}
	}()
	res, err := op()
	close(stop)
	<-stopped
	if err != nil {
		ae := asAPIError(err)
		c.err = ae
		var b []byte
		b = append(b, "<Error><Code>"...)
		b = appendEscaped(b, ae.Code)
		b = append(b, "</Code><Message>"...)
		b = appendEscaped(b, ae.Message)
		b = append(b, "</Message><RequestId>"...)
		b = append(b, c.id...)
		b = append(b, "</RequestId><HostId>"...)
		b = append(b, hostID(c.id)...)
		b = append(b, "</HostId></Error>"...)
		w.Write(b)
		return nil
	}
	body, err := xml.Marshal(res)
	if err != nil {
		return nil
	}
	w.Write(body)
	return nil
}

// flush sends what w has buffered, if it can.
func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
