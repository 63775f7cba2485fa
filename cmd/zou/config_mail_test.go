package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zou-go/zou/config"
)

func TestLoadConfigMail(t *testing.T) {
	dir := isolate(t)
	c, err := loadConfig("")
	if err != nil {
		t.Fatal(err)
	}
	want := config.Mail{Enabled: true, Server: "localhost", Port: 25, DefaultSender: "no-reply@your-studio.com"}
	if c.Mail != want {
		t.Errorf("mail defaults %+v, want Zou's %+v", c.Mail, want)
	}
	writeFile(t, filepath.Join(dir, "config.yaml"), `
secret_key: a-test-secret
mail_server: smtp.studio.test
mail_port: 587
mail_username: kitsu
mail_password: from-the-file
mail_use_tls: true
mail_default_sender: kitsu@studio.test
`)
	t.Setenv("MAIL_PASSWORD", "from-the-env")
	t.Setenv("MAIL_ENABLED", "false")
	if c, err = loadConfig(""); err != nil {
		t.Fatal(err)
	}
	want = config.Mail{Enabled: false, Server: "smtp.studio.test", Port: 587, Username: "kitsu", Password: "from-the-env",
		UseTLS: true, DefaultSender: "kitsu@studio.test"}
	if c.Mail != want {
		t.Errorf("mail settings %+v, want %+v", c.Mail, want)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid mail settings refused: %v", err)
	}
	if s := fmt.Sprintf("%v %+v", c, c); strings.Contains(s, "from-the-env") || !strings.Contains(s, "Password:***") {
		t.Errorf("printed configuration: %s", s)
	}

	t.Setenv("MAIL_USE_SSL", "true")
	if c, err = loadConfig(""); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "MAIL_USE_SSL") {
		t.Errorf("STARTTLS and TLS together: %v", err)
	}
	t.Setenv("MAIL_PORT", "smtp")
	if _, err := loadConfig(""); err == nil || !strings.Contains(err.Error(), "MAIL_PORT") {
		t.Errorf("MAIL_PORT=smtp: %v", err)
	}
}
