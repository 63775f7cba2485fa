package models

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"golang.org/x/crypto/bcrypt"

	"github.com/zou-go/zou/engine"
)

// Settings are the configuration values entity behaviours depend on.
type Settings struct {
	BcryptRounds      int
	UserLimit         int
	DefaultTimezone   string
	DefaultLocale     string
	ProtectedAccounts []string
}

// Configure attaches the per-entity behaviours that need configuration.
func Configure(r *engine.Registry, s Settings) {
	persons := r.MustCollection("persons")
	persons.Hooks = personHooks(s)
	org := r.MustCollection("organisations")
	org.Hooks = organisationHooks()
	projects := r.MustCollection("projects")
	projects.Hooks = projectHooks()

	// Entities, entity types, asset instances, entity links:
	configureEdits(r)

	// Projects, project status, metadata descriptors, milestones, schedule items:
	descriptors := r.MustCollection("metadata-descriptors")
	descriptors.Hooks = metadataDescriptorHooks(descriptors.Hooks)
	scheduleItems := r.MustCollection("schedule-items")
	scheduleItems.Hooks = scheduleItemHooks(scheduleItems.Hooks)

	// Tasks, task types, task statuses, time spents:
	r.MustCollection("task-types").Hooks = taskTypeHooks()
	r.MustCollection("task-status").Hooks = taskStatusHooks()

	// Comments, status automations, notifications, subscriptions:

	// Persons, departments, day offs, search filters:
	r.MustCollection("day-offs").Hooks = dayOffHooks()

}

// Roles are Zou's global roles, in the order Kitsu lists them.
var Roles = []string{"user", "admin", "supervisor", "manager", "client", "vendor"}

var (
	personMinimal = keySet("id", "first_name", "last_name", "full_name", "has_avatar", "active",
		"departments", "studio_id", "role", "desktop_login", "is_bot")
	personFilterable = keySet("id", "first_name", "last_name", "full_name", "has_avatar", "active",
		"departments", "studio_id", "role", "desktop_login", "email", "is_bot")
	personAdminOnlyKeys = []string{"role", "departments", "active", "is_bot", "archived", "login_failed_attemps",
		"last_login_failed", "is_generated_from_ldap", "ldap_uid", "last_presence", "studio_id"}
	contractTypes = []string{"open-ended", "fixed-term", "short-term", "freelance", "apprentice", "internship"}
	positions     = []string{"supervisor", "lead", "artist"}
	seniorities   = []string{"senior", "mid", "junior"}
)

func keySet(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func isManagerRole(role string) bool { return role == "admin" || role == "manager" }

func personHooks(s Settings) engine.Hooks {
	return engine.Hooks{
		// Non-admins see minimal rows in lists; a single row is safe for managers.
		Visible: func(p *engine.Principal, one bool) map[string]bool {
			if p == nil || p.IsAdmin() || (one && isManagerRole(p.Role)) {
				return nil
			}
			return personMinimal
		},
		FilterAllowed: func(p *engine.Principal, key string) bool {
			return p.IsAdmin() || personFilterable[key]
		},
		FilterUpdate: func(p *engine.Principal, _ string, body map[string]json.RawMessage) map[string]json.RawMessage {
			if p.IsAdmin() {
				return body
			}
			for _, k := range personAdminOnlyKeys {
				delete(body, k)
			}
			// A bot may not extend its own token's life (Zou: has_person_permissions).
			if p.IdentityType == "bot" {
				delete(body, "expiration_date")
			}
			return body
		},
		BeforeWrite: func(ctx context.Context, tx bun.IDB, row, before any, p *engine.Principal) error {
			return validatePerson(ctx, tx, s, row.(*Person), asPerson(before), p)
		},
		BeforeDelete: func(ctx context.Context, tx bun.IDB, id string, p *engine.Principal, q url.Values) error {
			if p != nil && p.PersonID == id {
				return engine.Forbidden() // Zou raises a bare PermissionDenied
			}
			var email sql.NullString
			if err := tx.NewSelect().TableExpr("person").ColumnExpr("email").Where("id = ?", id).Scan(ctx, &email); err != nil {
				return err
			}
			if email.Valid && isProtected(s, email.String) {
				return engine.Status(http.StatusForbidden, "Can't delete this person, it's a protected account.")
			}
			return personPurge(ctx, tx, id, q)
		},
	}
}

func asPerson(v any) *Person {
	if v == nil {
		return nil
	}
	return v.(*Person)
}

func isProtected(s Settings, email string) bool {
	return slices.ContainsFunc(s.ProtectedAccounts, func(e string) bool { return strings.EqualFold(strings.TrimSpace(e), email) })
}

func validatePerson(ctx context.Context, tx bun.IDB, s Settings, row, before *Person, p *engine.Principal) error {
	if !slices.Contains(Roles, row.Role) {
		return engine.BadRequest("Invalid role")
	}
	if !slices.Contains(contractTypes, row.ContractType) {
		return engine.BadRequest("Invalid contract type")
	}
	if row.Position != nil && !slices.Contains(positions, *row.Position) {
		return engine.BadRequest("Invalid position")
	}
	if row.Seniority != nil && !slices.Contains(seniorities, *row.Seniority) {
		return engine.BadRequest("Invalid seniority")
	}
	if row.Email != nil {
		e := strings.ToLower(strings.TrimSpace(*row.Email))
		row.Email = &e
		if e != "" && (!strings.Contains(e, "@") || strings.ContainsAny(e, " \t\n")) {
			return engine.BadRequest("Invalid email")
		}
	}
	if row.Country != nil && *row.Country != "" {
		c := strings.ToUpper(*row.Country)
		if len(c) != 2 {
			return engine.BadRequest("Invalid country")
		}
		row.Country = &c
	}
	active := row.Active == nil || *row.Active
	if before == nil {
		if row.Timezone == nil && s.DefaultTimezone != "" {
			row.Timezone = &s.DefaultTimezone
		}
		if row.Locale == nil && s.DefaultLocale != "" {
			row.Locale = &s.DefaultLocale
		}
		if len(row.Password) > 0 {
			hash, err := bcrypt.GenerateFromPassword(truncate72(row.Password), s.BcryptRounds)
			if err != nil {
				return err
			}
			row.Password = hash
		}
		if active && !row.IsBot && !row.IsGuest {
			return checkUserLimit(ctx, tx, s.UserLimit)
		}
		return nil
	}
	wasActive := before.Active == nil || *before.Active
	// Protected accounts (bots excepted, as in Zou) keep their role and stay
	// active whatever another admin sends.
	if before.Email != nil && isProtected(s, *before.Email) && p != nil && p.PersonID != before.ID.String() && !before.IsBot {
		if wasActive && !active {
			return engine.Status(http.StatusForbidden, "Can't set this person as inactive it's a protected account.")
		}
		if row.Role != before.Role {
			return engine.Status(http.StatusForbidden, "Can't change the role of this person it's a protected account.")
		}
	}
	if active && !wasActive && !row.IsBot && !row.IsGuest {
		return checkUserLimit(ctx, tx, s.UserLimit)
	}
	return nil
}

// truncate72 keeps what bcrypt reads, as Zou does for long passwords.
func truncate72(b []byte) []byte {
	if len(b) > 72 {
		return b[:72]
	}
	return b
}

func checkUserLimit(ctx context.Context, tx bun.IDB, limit int) error {
	n, err := tx.NewSelect().TableExpr("person").
		Where("active IS TRUE AND is_bot IS NOT TRUE AND is_guest IS NOT TRUE").Count(ctx)
	if err != nil {
		return err
	}
	if n >= int64(limit) {
		return engine.BadRequestData("User limit reached.", map[string]any{"limit": limit})
	}
	return nil
}

var orgSecrets = []string{"chat_token_slack", "chat_webhook_mattermost", "chat_token_discord"}

func organisationHooks() engine.Hooks {
	visible := map[string]bool{}
	return engine.Hooks{
		Visible: func(p *engine.Principal, _ bool) map[string]bool {
			if p == nil || p.IsAdmin() {
				return nil
			}
			if len(visible) == 0 {
				for _, k := range []string{"id", "name", "hours_by_day", "has_avatar", "use_original_file_name", "timesheets_locked",
					"hd_by_default", "dark_theme_by_default", "format_duration_in_hours", "created_at", "updated_at"} {
					visible[k] = true
				}
			}
			return visible
		},
		FilterAllowed: func(p *engine.Principal, key string) bool {
			return p.IsAdmin() || !slices.Contains(orgSecrets, key)
		},
		BeforeWrite: func(_ context.Context, _ bun.IDB, row, _ any, _ *engine.Principal) error {
			if row.(*Organisation).HoursByDay <= 0 || row.(*Organisation).HoursByDay > 24 {
				return engine.BadRequest("hours_by_day must be between 0 and 24.")
			}
			return nil
		},
	}
}

var productionStyles = []string{"2d", "2dpaper", "3d", "2d3d", "ar", "vfx", "stop-motion", "motion-design", "archviz", "commercial", "catalog", "immersive", "nft", "video-game", "vr"}

func projectHooks() engine.Hooks {
	return engine.Hooks{
		BeforeWrite: func(ctx context.Context, tx bun.IDB, row, before any, _ *engine.Principal) error {
			pr := row.(*Project)
			if pr.ProductionStyle == "" {
				pr.ProductionStyle = "2d3d"
			}
			if !slices.Contains(productionStyles, pr.ProductionStyle) {
				return engine.BadRequest("Invalid production_style")
			}
			if pr.Resolution != nil && *pr.Resolution != "" && !validResolution(*pr.Resolution) {
				return engine.BadRequest("Invalid resolution " + *pr.Resolution + ". Expected format: '1920x1080' or 'x1080'.")
			}
			if before == nil && pr.ProjectStatusID == nil {
				id, err := openStatus(ctx, tx)
				if err != nil {
					return err
				}
				pr.ProjectStatusID = &id
			}
			return nil
		},
		AfterWrite: func(ctx context.Context, tx bun.IDB, row, before any, p *engine.Principal) error {
			// A non-admin who may create a project joins its team, or could not see it.
			if before != nil || p == nil || p.IsAdmin() {
				return nil
			}
			_, err := tx.NewRaw("INSERT INTO project_person_link (project_id, person_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
				row.(*Project).ID.String(), p.PersonID).Exec(ctx)
			return err
		},
		BeforeDelete: func(ctx context.Context, tx bun.IDB, id string, _ *engine.Principal, _ url.Values) error {
			var status sql.NullString
			err := tx.NewSelect().TableExpr("project").ColumnExpr("ps.name").
				Join("LEFT JOIN project_status ps ON ps.id = project.project_status_id").
				Where("project.id = ?", id).Scan(ctx, &status)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if status.String == "Open" {
				return engine.BadRequest("Only closed projects can be deleted")
			}
			return nil
		},
	}
}

// resolutionPattern is Zou's accepted shape: 1920x1080 or x1080 (3-4 digits each).
var resolutionPattern = regexp.MustCompile(`^(\d{3,4})?x\d{3,4}$`)

func validResolution(s string) bool { return resolutionPattern.MatchString(s) }

// openStatus returns the "Open" project status, creating it when missing as Zou does.
func openStatus(ctx context.Context, tx bun.IDB) (uuid.UUID, error) {
	var id uuid.UUID
	err := tx.NewSelect().TableExpr("project_status").ColumnExpr("id").Where("name = 'Open'").Limit(1).Scan(ctx, &id)
	if errors.Is(err, sql.ErrNoRows) {
		id = uuid.New()
		_, err = tx.NewRaw("INSERT INTO project_status (id, created_at, updated_at, name, color) VALUES (?, now() at time zone 'utc', now() at time zone 'utc', 'Open', '#000000')", id.String()).Exec(ctx)
	}
	return id, err
}
