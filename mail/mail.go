// Package mail sends the server's emails (invitations) through the SMTP
// account of the configuration, with Go's net/smtp.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/zou-go/zou/config"
)

// ErrDisabled is returned by Send when MAIL_ENABLED is off.
var ErrDisabled = errors.New("mail is disabled on this server (MAIL_ENABLED)")

// Message is one email to one recipient, with a plain text and an HTML body.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
}

// Sender sends messages through one SMTP account.
type Sender struct {
	cfg config.Mail
	// Timeout bounds the whole SMTP exchange (connect to the end of QUIT).
	Timeout time.Duration
}

// New returns a sender for the account of cfg.
func New(cfg config.Mail) *Sender { return &Sender{cfg: cfg, Timeout: 15 * time.Second} }

// senderName is the display name of the From header (Zou's "Kitsu Bot").
const senderName = "Kitsu Bot"

// Send delivers m, or answers why it could not: ErrDisabled, or an error
// naming the SMTP step that failed. Errors never carry the password.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if !s.cfg.Enabled {
		return ErrDisabled
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("recipient %q: %w", m.To, err)
	}
	from, err := mail.ParseAddress(s.cfg.DefaultSender)
	if err != nil {
		return fmt.Errorf("MAIL_DEFAULT_SENDER %q: %w", s.cfg.DefaultSender, err)
	}
	body, err := build(from, to, m)
	if err != nil {
		return err
	}
	addr := net.JoinHostPort(s.cfg.Server, strconv.Itoa(s.cfg.Port))
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("connect to the SMTP server: %w", err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	tlsConfig := &tls.Config{ServerName: s.cfg.Server, MinVersion: tls.VersionTLS12}
	if s.cfg.UseSSL {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("TLS with the SMTP server: %w", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.cfg.Server)
	if err != nil {
		conn.Close()
		return fmt.Errorf("SMTP greeting: %w", err)
	}
	defer c.Close()
	if err := s.exchange(c, tlsConfig, from.Address, to.Address, body); err != nil {
		return err
	}
	return nil
}

// exchange runs the SMTP dialogue after the greeting.
func (s *Sender) exchange(c *smtp.Client, tlsConfig *tls.Config, from, to string, body []byte) error {
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("SMTP EHLO: %w", err)
	}
	if s.cfg.UseTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the SMTP server does not offer STARTTLS (MAIL_USE_TLS)")
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("SMTP STARTTLS: %w", err)
		}
	}
	if s.cfg.Username != "" {
		// net/smtp refuses PLAIN over an unencrypted link to another host,
		// so the password never crosses the network in clear.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Server)); err != nil {
			return fmt.Errorf("SMTP authentication as %s: %s", s.cfg.Username, scrub(err.Error(), s.cfg.Password))
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("SMTP MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("SMTP RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("SMTP DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("SMTP end of DATA: %w", err)
	}
	return c.Quit()
}

// scrub removes a secret from a text that could echo it.
func scrub(text, secret string) string {
	if secret == "" {
		return text
	}
	return strings.ReplaceAll(text, secret, "***")
}

// build writes the message: headers, then the text and HTML bodies as
// multipart/alternative, each quoted-printable (short lines whatever the HTML).
func build(from, to *mail.Address, m Message) ([]byte, error) {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("the subject holds a line break")
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	id := make([]byte, 12)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("message id: %w", err)
	}
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	headers := []string{
		"From: " + (&mail.Address{Name: senderName, Address: from.Address}).String(),
		"To: " + to.String(),
		"Subject: " + mime.QEncoding.Encode("utf-8", m.Subject),
		"Date: " + time.Now().UTC().Format(time.RFC1123Z),
		"Message-ID: <" + hex.EncodeToString(id) + "@" + domain + ">",
		"MIME-Version: 1.0",
		"Content-Type: multipart/alternative;\r\n boundary=" + mw.Boundary(), // folded: short lines
	}
	var head bytes.Buffer
	head.WriteString(strings.Join(headers, "\r\n") + "\r\n\r\n")
	for _, part := range []struct{ kind, text string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		if part.text == "" {
			continue
		}
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.kind + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("message part: %w", err)
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(part.text)); err != nil {
			return nil, fmt.Errorf("message part: %w", err)
		}
		if err := qp.Close(); err != nil {
			return nil, fmt.Errorf("message part: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	return append(head.Bytes(), buf.Bytes()...), nil
}
