package models

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// EntityType is a kind of entity: an asset type (Character, Prop...) or Shot, Sequence, Episode, Scene, Edit, Concept.
type EntityType struct {
	bun.BaseModel `bun:"table:entity_type"`
	Base
	Name        string  `bun:"name,notnull,type:varchar(30)"`
	ShortName   *string `bun:"short_name,type:varchar(20)"`
	Description *string `bun:"description,type:text"`
	Archived    *bool   `bun:"archived,type:boolean,default:false"`
}

// TemporalTypes are the entity types that are not asset types; Zou creates
// their entity_type rows on first use.
var TemporalTypes = []string{"Shot", "Sequence", "Episode", "Scene", "Edit", "Concept"}

// EntityTypeID returns the id of the entity type named name, creating the
// row when it is missing (Zou's get_or_create of Shot, Sequence...). Zou's
// schema has no unique name, so should two servers ever race on the very
// first shot, later calls settle on the oldest row.
func EntityTypeID(ctx context.Context, db bun.IDB, name string) (string, error) {
	var id string
	err := db.NewRaw(`WITH ins AS (
		INSERT INTO entity_type (id, created_at, updated_at, name, archived)
		SELECT gen_random_uuid(), now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', ?0, false
		WHERE NOT EXISTS (SELECT 1 FROM entity_type WHERE name = ?0)
		ON CONFLICT DO NOTHING RETURNING id)
		SELECT id FROM (SELECT id::text, 0 AS o, NULL::timestamp AS c FROM ins
		UNION ALL SELECT id::text, 1, created_at FROM entity_type WHERE name = ?0) x ORDER BY o, c LIMIT 1`, name).Scan(ctx, &id)
	if err != nil {
		return "", fmt.Errorf("entity type %s: %w", name, err)
	}
	return id, nil
}
