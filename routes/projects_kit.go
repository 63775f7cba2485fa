package routes

import (
	"context"
	"encoding/json"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/zou-go/zou/access"
)

// Small checks the project routes share, so each reads one way everywhere.

// projectsFound is nil when table has a row with this id, else missing (the
// answer differs by route: a 400 for a bad body, a 404 for a bad path).
func projectsFound(ctx context.Context, db bun.IDB, table, id string, missing error) error {
	ok, err := projectsExists(ctx, db, table, id)
	if err != nil {
		return err
	}
	if !ok {
		return missing
	}
	return nil
}

// projectsRequiredID reads a body id that must be there: Zou's "missing"
// 400 first, then the malformed-id one.
func projectsRequiredID(body map[string]json.RawMessage, key string) (string, error) {
	if _, err := requiredString(body, key); err != nil {
		return "", err
	}
	return idField(body, key)
}

// projectsManagedBody is the project of the path, for its managers only,
// and the JSON object of the request body, read in that order so a
// non-manager learns nothing about the body's faults.
func projectsManagedBody(c *gin.Context, who *access.Caller) (*access.Project, map[string]json.RawMessage, error) {
	pr, err := who.ManagerOf(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	body, err := bodyObject(c)
	if err != nil {
		return nil, nil, err
	}
	return pr, body, nil
}
