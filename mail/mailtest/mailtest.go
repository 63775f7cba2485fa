// Package mailtest is a minimal SMTP server on 127.0.0.1 for tests: it
// accepts messages without authentication or TLS and records them.
package mailtest

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Received is one message the server accepted.
type Received struct {
	From string   // MAIL FROM address
	To   []string // RCPT TO addresses
	Data string   // the message as sent after DATA (dot-stuffing undone)
}

// Server is a running fake SMTP server.
type Server struct {
	Host string
	Port int

	ln   net.Listener
	mu   sync.Mutex
	msgs []Received
	wg   sync.WaitGroup
}

// Start listens on a free port of 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	s := &Server{Host: "127.0.0.1", Port: addr.Port, ln: ln}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// Messages returns what was received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.session(conn)
		}()
	}
}

// session speaks just enough SMTP for net/smtp: EHLO, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT.
func (s *Server) session(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	reply := func(code int, text string) bool {
		_, err := conn.Write([]byte(strconv.Itoa(code) + " " + text + "\r\n"))
		return err == nil
	}
	if !reply(220, "mailtest ready") {
		return
	}
	var cur Received
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := strings.TrimSpace(line[len(verb):])
		switch verb {
		case "EHLO", "HELO":
			reply(250, "mailtest")
		case "MAIL":
			cur = Received{From: address(arg)}
			reply(250, "ok")
		case "RCPT":
			cur.To = append(cur.To, address(arg))
			reply(250, "ok")
		case "DATA":
			if !reply(354, "go ahead") {
				return
			}
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			cur = Received{}
			reply(250, "queued")
		case "RSET", "NOOP":
			cur = Received{}
			reply(250, "ok")
		case "QUIT":
			reply(221, "bye")
			return
		default:
			reply(502, "not implemented")
		}
	}
}

// address takes the address out of "FROM:<a@b>" or "TO:<a@b>".
func address(arg string) string {
	if i := strings.IndexByte(arg, '<'); i >= 0 {
		if j := strings.IndexByte(arg[i:], '>'); j > 0 {
			return arg[i+1 : i+j]
		}
	}
	return arg
}
