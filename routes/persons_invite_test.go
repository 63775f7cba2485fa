package routes_test

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"testing"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/config"
	"github.com/zou-go/zou/mail/mailtest"
)

// personsMailParts decodes a received message into its bodies by content type.
func personsMailParts(t *testing.T, data string) (*mail.Message, map[string]string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			return m, out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		kind, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[kind] = string(b)
	}
}

func TestPersonsInvite(t *testing.T) {
	smtp := mailtest.Start(t)
	e := apptest.New(t, func(c *config.Config) {
		c.Mail = config.Mail{Enabled: true, Server: smtp.Host, Port: smtp.Port, DefaultSender: "no-reply@studio.test"}
		c.DomainName, c.DomainProtocol = "kitsu.studio.test", "https"
	})
	artist, bot := e.NewPerson("user"), e.NewPerson("user")
	manager := e.NewPerson("manager")
	sqlExec(t, e, "UPDATE person SET is_bot = true WHERE id = ?", bot.ID)
	sqlExec(t, e, "UPDATE person SET first_name = 'Ann' WHERE id = ?", artist.ID)
	vars := map[string]string{"artist": artist.ID, "bot": bot.ID, "missing": "6f1f0a3c-1111-4222-8333-444455556666"}
	e.Run(t, vars, []apptest.Case{
		{Name: "artist", As: artist, Method: "GET", Path: "/actions/persons/{artist}/invite", Status: 403},
		{Name: "manager", As: manager, Method: "GET", Path: "/actions/persons/{artist}/invite", Status: 403},
		{Name: "bot target", As: e.Admin, Method: "GET", Path: "/actions/persons/{bot}/invite", Status: 403},
		{Name: "unknown person", As: e.Admin, Method: "GET", Path: "/actions/persons/{missing}/invite", Status: 404},
		{Name: "malformed id", As: e.Admin, Method: "GET", Path: "/actions/persons/nope/invite", Status: 404},
		{Name: "unauthenticated", Method: "GET", Path: "/actions/persons/{artist}/invite", Status: 401},
	})
	if n := len(smtp.Messages()); n != 0 {
		t.Fatalf("refused invitations sent %d emails", n)
	}

	expect(t, e.Do("GET", "/actions/persons/"+artist.ID+"/invite", nil, e.Admin.Token), 200,
		map[string]any{"success": true, "message": "Email sent"})
	msgs := smtp.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != artist.Email || msgs[0].From != "no-reply@studio.test" {
		t.Fatalf("sent %+v", msgs)
	}
	ctx := t.Context()
	token, err := e.App.Server.Store.Get(ctx, "reset-token-"+artist.Email)
	if err != nil || len(token) != 64 {
		t.Fatalf("stored token %q, %v", token, err)
	}
	link := "https://kitsu.studio.test/reset-change-password?" +
		url.Values{"email": {artist.Email}, "token": {token}, "type": {"new"}}.Encode()
	m, parts := personsMailParts(t, msgs[0].Data)
	if !strings.Contains(parts["text/plain"], link) || !strings.Contains(parts["text/plain"], "Hello Ann,") {
		t.Errorf("text body without the link %s:\n%s", link, parts["text/plain"])
	}
	if !strings.Contains(parts["text/html"], strings.ReplaceAll(link, "&", "&amp;")) {
		t.Errorf("HTML body without the link:\n%s", parts["text/html"])
	}
	if to := m.Header.Get("To"); !strings.Contains(to, artist.Email) {
		t.Errorf("To: %q", to)
	}
	// The link sets the password, once.
	reset := map[string]any{"email": artist.Email, "token": token, "password": "invited-pass-1", "password2": "invited-pass-1"}
	e.Must(200, "PUT", "/auth/reset-password", reset, "")
	mustLogin(t, e, artist.Email, "invited-pass-1")
	e.Must(400, "PUT", "/auth/reset-password", reset, "")

	// Mail off: a 503 that says so, no token left behind.
	srv := e.App.Server
	srv.Cfg.Mail.Enabled = false
	r := e.Must(503, "GET", "/actions/persons/"+artist.ID+"/invite", nil, e.Admin.Token).Object(t)
	if r["error"] != true || !strings.Contains(r["message"].(string), "MAIL_ENABLED") {
		t.Errorf("mail disabled: %v", r)
	}
	if tok, _ := srv.Store.Get(ctx, "reset-token-"+artist.Email); tok != "" {
		t.Errorf("token stored with mail disabled: %q", tok)
	}

	// SMTP server unreachable: 503, the token of the lost link dropped, the
	// password nowhere in the answer.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Cfg.Mail = config.Mail{Enabled: true, Server: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port,
		Username: "kitsu", Password: "smtp-secret-pw", DefaultSender: "no-reply@studio.test"}
	ln.Close()
	resp := e.Must(503, "GET", "/actions/persons/"+artist.ID+"/invite", nil, e.Admin.Token)
	r = resp.Object(t)
	if msg, _ := r["message"].(string); !strings.HasPrefix(msg, "Email could not be sent: ") || r["error"] != true {
		t.Errorf("unreachable server: %v", r)
	}
	if strings.Contains(string(resp.Body), "smtp-secret-pw") {
		t.Errorf("password in the answer: %s", resp.Body)
	}
	if tok, _ := srv.Store.Get(ctx, "reset-token-"+artist.Email); tok != "" {
		t.Errorf("token of an unsent invitation kept: %q", tok)
	}
	if n := len(smtp.Messages()); n != 1 {
		t.Errorf("%d emails, want 1", n)
	}
}
