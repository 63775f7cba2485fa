package routes

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

func (s *Server) mountIndex(r gin.IRouter) {
	r.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"api": "Zou", "version": Version}) })
	r.GET("/status", func(c *gin.Context) {
		st := s.probe(c.Request.Context())
		c.JSON(http.StatusOK, gin.H{"name": "Zou", "version": Version, "database-up": st.db,
			"key-value-store-up": st.kv, "event-stream-up": st.events, "job-queue-up": false, "indexer-up": false})
	})
	r.GET("/status/influx", func(c *gin.Context) {
		st := s.probe(c.Request.Context())
		c.JSON(http.StatusOK, gin.H{"database-up": b2i(st.db), "key-value-store-up": b2i(st.kv),
			"event-stream-up": b2i(st.events), "job-queue-up": 0, "indexer-up": 0,
			"time": unixFloat(time.Now())})
	})
	r.GET("/status.txt", func(c *gin.Context) {
		st := s.probe(c.Request.Context())
		var b strings.Builder
		fmt.Fprintf(&b, "name: Zou\nversion: %s\ndatabase-up: %s\nevent-stream-up: %s\nkey-value-store-up: %s\njob-queue-up: down\nindexer-up: down\n",
			Version, upDown(st.db), upDown(st.events), upDown(st.kv))
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
	})
	r.GET("/config", func(c *gin.Context) {
		dark := false
		_ = s.DB.NewSelect().TableExpr("organisation").ColumnExpr("COALESCE(dark_theme_by_default, false)").
			OrderExpr("created_at").Limit(1).Scan(c.Request.Context(), &dark)
		c.JSON(http.StatusOK, gin.H{
			"is_self_hosted": s.Cfg.IsSelfHosted, "crisp_token": s.Cfg.CrispToken, "dark_theme_by_default": dark,
			"indexer_configured": s.Cfg.IndexerKey != "", "saml_enabled": s.Cfg.SAMLEnabled, "saml_idp_name": s.Cfg.SAMLIdPName,
			"oidc_enabled": s.Cfg.OIDCEnabled, "oidc_idp_name": s.Cfg.OIDCIdPName, "default_locale": s.Cfg.DefaultLocale,
			"default_timezone": s.Cfg.DefaultTimezone, "enforce_2fa": s.Cfg.Enforce2FA,
		})
	})
}

type health struct{ db, kv, events bool }

// probe checks each backing service with a short deadline; a down service is
// reported, never turned into an error answer.
func (s *Server) probe(ctx context.Context) health {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var h health
	h.db = s.DB.PingContext(ctx) == nil
	h.kv = s.Store != nil && s.Store.Ping(ctx) == nil
	if s.Cfg.EventStreamHost != "" {
		d := net.Dialer{Timeout: 500 * time.Millisecond}
		if conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.Cfg.EventStreamHost, fmt.Sprint(s.Cfg.EventStreamPort))); err == nil {
			conn.Close()
			h.events = true
		}
	}
	return h
}

// unixFloat is Python's datetime.timestamp(): seconds with microseconds, always
// written as a float (1706696430.0, never 1706696430).
func unixFloat(t time.Time) json.Number {
	s := strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return json.Number(s)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func upDown(b bool) string {
	if b {
		return "up"
	}
	return "down"
}
