package policies_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/zou-go/zou/apptest"
	"github.com/zou-go/zou/auth"
	"github.com/zou-go/zou/config"
)

// personMinimal is Person.present_minimal in Zou plus the type key: all a
// non-admin learns about people from the list (departments only with relations).
var personMinimal = []string{"id", "type", "first_name", "last_name", "full_name", "has_avatar", "active",
	"departments", "studio_id", "role", "desktop_login", "is_bot"}

// TestPersonsVisibility covers the directory rules: minimal rows for
// non-admins, the filter allow-list, self-edits without privileged keys, and
// the delete guard.
func TestPersonsVisibility(t *testing.T) {
	t.Parallel()
	e := apptest.New(t)
	artist := e.NewPerson("user")
	other := e.NewPerson("user")
	manager := e.NewPerson("manager")
	phone := "+33 1 23 45 67 89"
	e.Must(200, "PUT", "/data/persons/"+other.ID, map[string]any{"phone": phone}, e.Admin.Token)

	onlyMinimal := func(what string, row map[string]any) {
		t.Helper()
		for k := range row {
			if !slices.Contains(personMinimal, k) {
				t.Errorf("%s: key %q shown to a non-admin (row %v)", what, k, row)
			}
		}
		for _, k := range []string{"id", "type", "first_name", "last_name", "full_name", "role", "active"} {
			if _, ok := row[k]; !ok {
				t.Errorf("%s: key %q missing (row %v)", what, k, row)
			}
		}
	}
	for _, who := range []*apptest.Person{artist, manager} {
		for _, q := range []string{"", "?relations=true", "?page=1"} {
			r := e.Must(200, "GET", "/data/persons"+q, nil, who.Token)
			var rows []map[string]any
			if q == "?page=1" {
				for _, v := range r.Object(t)["data"].([]any) {
					rows = append(rows, v.(map[string]any))
				}
			} else {
				rows = r.List(t)
			}
			if len(rows) != 4 {
				t.Errorf("%s lists %d persons, want 4", who.Role, len(rows))
			}
			for _, row := range rows {
				onlyMinimal(who.Role+" GET /data/persons"+q, row)
			}
		}
	}
	// ?fields cannot reach past the minimal set.
	for _, row := range e.Must(200, "GET", "/data/persons?fields=email,phone,first_name", nil, artist.Token).List(t) {
		if _, ok := row["email"]; ok || row["phone"] != nil {
			t.Errorf("artist asked for email through ?fields and got %v", row)
		}
	}
	// A single row: minimal for artists, safe fields (email, phone) for managers.
	onlyMinimal("artist GET one", e.Must(200, "GET", "/data/persons/"+other.ID, nil, artist.Token).Object(t))
	if got := e.Must(200, "GET", "/data/persons/"+other.ID, nil, manager.Token).Object(t); got["email"] != other.Email || got["phone"] != phone {
		t.Errorf("manager GET one: %v, want email and phone", got)
	}
	admin := e.Must(200, "GET", "/data/persons", nil, e.Admin.Token).List(t)
	if len(admin) != 4 || admin[0]["email"] == nil {
		t.Errorf("admin's list should carry safe fields: %v", admin)
	}
	for _, row := range admin {
		for _, secret := range []string{"password", "totp_secret", "jti", "otp_recovery_codes", "fido_credentials"} {
			if _, ok := row[secret]; ok {
				t.Errorf("admin's list shows %s", secret)
			}
		}
	}

	// Filters: email is the lookup pipelines rely on; the rest of the row is not filterable.
	r := e.Must(200, "GET", "/data/persons?email="+url.QueryEscape(other.Email), nil, artist.Token)
	if got := ids(t, r); !slices.Equal(got, []string{other.ID}) {
		t.Errorf("artist filters on email: %v, want [%s]", got, other.ID)
	}
	onlyMinimal("artist filters on email", r.List(t)[0])
	wantError(t, "artist filters on phone", e.Do("GET", "/data/persons?phone="+url.QueryEscape(phone), nil, artist.Token),
		http.StatusBadRequest, "Filtering on phone is not allowed.")
	wantError(t, "artist filters on a hidden column", e.Do("GET", "/data/persons?password=x", nil, artist.Token),
		http.StatusBadRequest, "Filtering on password is not allowed.")
	if got := ids(t, e.Must(200, "GET", "/data/persons?phone="+url.QueryEscape(phone), nil, e.Admin.Token)); !slices.Equal(got, []string{other.ID}) {
		t.Errorf("admin filters on phone: %v", got)
	}

	// Self-edit: allowed, privileged keys silently dropped.
	r = e.Must(200, "PUT", "/data/persons/"+artist.ID, map[string]any{
		"first_name": "Renamed", "role": "admin", "active": false, "is_bot": true, "studio_id": nil,
	}, artist.Token)
	got := e.Must(200, "GET", "/data/persons/"+artist.ID, nil, e.Admin.Token).Object(t)
	if got["first_name"] != "Renamed" || got["role"] != "user" || got["active"] != true || got["is_bot"] != false {
		t.Errorf("artist's self-edit: %v, want first_name Renamed and role, active, is_bot unchanged", got)
	}
	onlyMinimal("artist's PUT answer", r.Object(t))
	// Still an artist: the token keeps working and admin routes stay closed.
	wantError(t, "artist after self-promotion attempt", e.Do("GET", "/data/events", nil, artist.Token), http.StatusForbidden, zouForbidden)

	// Someone else: Zou's check_update_permissions refuses non-admins with 403
	// (the row is readable, so its existence is no secret).
	wantError(t, "artist edits another person", e.Do("PUT", "/data/persons/"+other.ID, map[string]any{"first_name": "X"}, artist.Token),
		http.StatusForbidden, zouForbidden)
	wantError(t, "manager edits another person", e.Do("PUT", "/data/persons/"+other.ID, map[string]any{"first_name": "X"}, manager.Token),
		http.StatusForbidden, zouForbidden)
	wantError(t, "artist creates a person", e.Do("POST", "/data/persons", map[string]any{"first_name": "X", "email": "x@example.com"}, artist.Token),
		http.StatusForbidden, zouForbidden)
	wantError(t, "artist deletes himself", e.Do("DELETE", "/data/persons/"+artist.ID, nil, artist.Token),
		http.StatusForbidden, zouForbidden)

	// Admins: everything but deleting themselves (Zou raises PermissionDenied).
	wantError(t, "admin deletes himself", e.Do("DELETE", "/data/persons/"+e.Admin.ID, nil, e.Admin.Token),
		http.StatusForbidden, zouForbidden)
	e.Must(200, "GET", "/data/persons/"+e.Admin.ID, nil, e.Admin.Token)
	e.Must(200, "PUT", "/data/persons/"+other.ID, map[string]any{"role": "supervisor"}, e.Admin.Token)
	e.Must(http.StatusNoContent, "DELETE", "/data/persons/"+other.ID, nil, e.Admin.Token)
	wantError(t, "deleted person", e.Do("GET", "/data/persons/"+other.ID, nil, e.Admin.Token), http.StatusNotFound, zouNotFound)
}

// TestPersonsProtectedAndBots covers the two identity-dependent person rules:
// protected accounts keep their role and activity against other admins, and
// a bot token cannot move its own expiration date.
func TestPersonsProtectedAndBots(t *testing.T) {
	t.Parallel()
	const vip = "boss@example.com"
	e := apptest.New(t, func(c *config.Config) { c.ProtectedAccounts = []string{vip} })
	boss := e.Create("persons", map[string]any{"first_name": "Big", "last_name": "Boss", "email": vip, "role": "admin"})
	id := str(boss, "id")
	wantError(t, "demote a protected account", e.Do("PUT", "/data/persons/"+id, map[string]any{"role": "user"}, e.Admin.Token),
		http.StatusForbidden, "Can't change the role of this person it's a protected account.")
	wantError(t, "deactivate a protected account", e.Do("PUT", "/data/persons/"+id, map[string]any{"active": false}, e.Admin.Token),
		http.StatusForbidden, "Can't set this person as inactive it's a protected account.")
	e.Must(200, "PUT", "/data/persons/"+id, map[string]any{"first_name": "Bigger"}, e.Admin.Token)
	if r := e.Do("DELETE", "/data/persons/"+id, nil, e.Admin.Token); r.Status != http.StatusForbidden {
		t.Errorf("delete a protected account: status %d; body: %s", r.Status, r.Body)
	}

	// A bot token (valid while person.jti names it) edits its own person but
	// not its expiration date; a personal API token may.
	for _, tc := range []struct {
		identity string
		moved    bool
	}{{auth.IdentityBot, false}, {auth.IdentityPersonAPI, true}} {
		p := e.NewPerson("user")
		pair, err := e.App.Server.Auth.Signer.IssuePair(p.ID, tc.identity)
		if err != nil {
			t.Fatal(err)
		}
		claims, err := e.App.Server.Auth.Signer.Parse(pair.Access, "access")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.DB.NewRaw("UPDATE person SET jti = ?, is_bot = ? WHERE id = ?", claims.ID, tc.identity == auth.IdentityBot, p.ID).
			Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.Must(200, "PUT", "/data/persons/"+p.ID, map[string]any{"first_name": "Renamed", "expiration_date": "2099-01-01"}, pair.Access)
		got := e.Must(200, "GET", "/data/persons/"+p.ID, nil, e.Admin.Token).Object(t)
		if got["first_name"] != "Renamed" || (got["expiration_date"] != nil) != tc.moved {
			t.Errorf("%s token edits itself: %v, want first_name changed and expiration_date moved=%v", tc.identity, got, tc.moved)
		}
	}
}
