package mail_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/zou-go/zou/config"
	zmail "github.com/zou-go/zou/mail"
	"github.com/zou-go/zou/mail/mailtest"
)

func account(s *mailtest.Server) config.Mail {
	return config.Mail{Enabled: true, Server: s.Host, Port: s.Port, DefaultSender: "no-reply@studio.test"}
}

func TestSendDelivers(t *testing.T) {
	srv := mailtest.Start(t)
	link := "https://kitsu.test/reset-change-password?email=ann%40studio.test&token=" + strings.Repeat("A", 64) + "&type=new"
	err := zmail.New(account(srv)).Send(context.Background(), zmail.Message{To: "ann@studio.test", Subject: "Bienvenue à Kitsu",
		Text: "Set your password: " + link, HTML: `<p><a href="` + link + `">Set your password</a></p>` + strings.Repeat("<br>", 200)})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].From != "no-reply@studio.test" || len(msgs[0].To) != 1 || msgs[0].To[0] != "ann@studio.test" {
		t.Fatalf("received %+v", msgs)
	}
	m, err := mail.ReadMessage(strings.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subject != "Bienvenue à Kitsu" || m.Header.Get("From") != `"Kitsu Bot" <no-reply@studio.test>` {
		t.Errorf("headers %v (subject %q)", m.Header, subject)
	}
	for _, line := range strings.Split(msgs[0].Data, "\r\n") {
		if len(line) > 78 {
			t.Errorf("line of %d characters: %q", len(line), line)
		}
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	parts := multipart.NewReader(m.Body, params["boundary"])
	var kinds []string
	for {
		p, err := parts.NextPart() // undoes the quoted-printable encoding
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		kinds = append(kinds, p.Header.Get("Content-Type"))
		if !strings.Contains(string(b), link) {
			t.Errorf("%s part without the link: %s", p.Header.Get("Content-Type"), b)
		}
	}
	if strings.Join(kinds, ",") != "text/plain; charset=utf-8,text/html; charset=utf-8" {
		t.Errorf("parts %v", kinds)
	}
}

func TestSendRefusals(t *testing.T) {
	srv := mailtest.Start(t)
	msg := zmail.Message{To: "ann@studio.test", Subject: "Hi", Text: "hello"}
	ctx := context.Background()

	off := account(srv)
	off.Enabled = false
	if err := zmail.New(off).Send(ctx, msg); !errors.Is(err, zmail.ErrDisabled) {
		t.Errorf("disabled: %v", err)
	}

	// Nothing listens on a port just released.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := account(srv)
	closed.Port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	closed.Password = "hunter2-secret"
	closed.Username = "bot"
	sender := zmail.New(closed)
	sender.Timeout = 2 * time.Second
	if err := sender.Send(ctx, msg); err == nil || !strings.Contains(err.Error(), "connect") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("unreachable: %v", err)
	}

	// A server without AUTH: refused, and the password is not in the error.
	withAuth := account(srv)
	withAuth.Username, withAuth.Password = "bot", "hunter2-secret"
	if err := zmail.New(withAuth).Send(ctx, msg); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("auth on a server without AUTH: %v", err)
	}
	starttls := account(srv)
	starttls.UseTLS = true
	if err := zmail.New(starttls).Send(ctx, msg); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("STARTTLS not offered: %v", err)
	}
	for _, to := range []string{"not an address", "ann@studio.test\r\nBcc: eve@evil.test"} {
		if err := zmail.New(account(srv)).Send(ctx, zmail.Message{To: to, Subject: "Hi", Text: "x"}); err == nil {
			t.Errorf("recipient %q accepted", to)
		}
	}
	if err := zmail.New(account(srv)).Send(ctx, zmail.Message{To: "ann@studio.test", Subject: "Hi\r\nBcc: eve@evil.test", Text: "x"}); err == nil {
		t.Error("a subject with a line break was accepted")
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages went through refusals", n)
	}
}
