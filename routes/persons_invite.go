package routes

import (
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
	"github.com/zou-go/zou/mail"
)

// personsInviteTTL is how long an invitation link works (Zou: a week).
const personsInviteTTL = 7 * 24 * time.Hour

// personsInvite emails a person an invitation to Kitsu with a link to choose
// a password (admin; not for bots). Zou answers "Email sent" even when mail
// is off or the SMTP server fails; here the admin is told: 503, and the
// token of the undelivered link is dropped.
func (s *Server) personsInvite(c *gin.Context, who *access.Caller) (int, any, error) {
	t, err := s.personsNotBot(c)
	if err != nil {
		return 0, nil, err
	}
	if err := who.RequireAdmin(); err != nil {
		return 0, nil, err
	}
	if !s.Cfg.Mail.Enabled {
		return 0, nil, personsMailError(mail.ErrDisabled)
	}
	ctx := c.Request.Context()
	var firstName, org string
	err = s.DB.NewRaw(`SELECT COALESCE(p.first_name, ''),
		COALESCE((SELECT o.name FROM organisation o ORDER BY o.created_at LIMIT 1), 'Kitsu')
		FROM person p WHERE p.id = ?`, t.ID).Scan(ctx, &firstName, &org)
	if err != nil {
		return 0, nil, fmt.Errorf("invitation of %s: %w", t.ID, err)
	}
	token, err := resetToken()
	if err != nil {
		return 0, nil, err
	}
	key := "reset-token-" + t.Email
	if err := s.Store.Set(ctx, key, token, personsInviteTTL); err != nil {
		return 0, nil, fmt.Errorf("store invitation token: %w", err)
	}
	msg := personsInvitation(firstName, org, t.Email, s.personsResetURL(t.Email, token, "new"))
	if err := mail.New(s.Cfg.Mail).Send(ctx, msg); err != nil {
		if derr := s.Store.Delete(ctx, key); derr != nil {
			slog.Warn("invitation token not dropped", "for", t.ID, "err", derr)
		}
		slog.Warn("invitation not sent", "by", who.PersonID, "for", t.ID, "err", err)
		return 0, nil, personsMailError(err)
	}
	slog.Info("invitation sent", "by", who.PersonID, "for", t.ID)
	return http.StatusOK, gin.H{"success": true, "message": "Email sent"}, nil
}

// personsMailError is the answer when an email could not leave: the server
// is fine, its mail service is not (disabled or unreachable).
func personsMailError(err error) error {
	msg := "Email could not be sent: " + err.Error()
	if errors.Is(err, mail.ErrDisabled) {
		msg = "Email could not be sent: mail is disabled on this server (MAIL_ENABLED is false)."
	}
	return engine.Status(http.StatusServiceUnavailable, msg)
}

// personsInvitation writes the invitation email.
func personsInvitation(firstName, org, email, link string) mail.Message {
	greeting := "Hello,"
	if firstName != "" {
		greeting = "Hello " + firstName + ","
	}
	text := greeting + "\n\n" +
		org + " invites you to work together in Kitsu.\n\n" +
		"Your login is " + email + ". Choose your password by following this link (it works for 7 days):\n\n" +
		link + "\n\nSee you soon in Kitsu!\n"
	h := html.EscapeString
	body := `<p>` + h(greeting) + `</p>
<p>` + h(org) + ` invites you to work together in Kitsu.</p>
<p>Your login is <strong>` + h(email) + `</strong>. Choose your password by following this link (it works for 7 days):</p>
<p><a href="` + h(link) + `">` + h(link) + `</a></p>
<p>See you soon in Kitsu!</p>
`
	return mail.Message{To: email, Subject: "Join " + org + " on Kitsu", Text: text, HTML: body}
}
