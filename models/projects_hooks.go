package models

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"slices"

	"github.com/uptrace/bun"

	"github.com/zou-go/zou/engine"
)

// MetadataDataTypes are the kinds of values a metadata descriptor may hold.
var MetadataDataTypes = []string{"string", "number", "list", "taglist", "boolean", "checklist", "date", "url", "textarea", "person"}

// metadataDescriptorHooks validates data_type and, on delete, removes the
// descriptor's values from the data of the rows it described, in the
// delete's transaction (a column gone leaves no orphan values behind).
func metadataDescriptorHooks(h engine.Hooks) engine.Hooks {
	h.BeforeWrite = func(_ context.Context, _ bun.IDB, row, _ any, _ *engine.Principal) error {
		md := row.(*MetadataDescriptor)
		if md.DataType != nil && !slices.Contains(MetadataDataTypes, *md.DataType) {
			return engine.BadRequest("Invalid data_type")
		}
		return nil
	}
	h.BeforeDelete = func(ctx context.Context, tx bun.IDB, id string, _ *engine.Principal, _ url.Values) error {
		return StripMetadataValues(ctx, tx, id)
	}
	return h
}

// StripMetadataValues removes the key of descriptor id from the data of the
// project (Project descriptors), of the tasks of its task type (Task), or of
// every entity of the project (the others, as Zou does).
func StripMetadataValues(ctx context.Context, tx bun.IDB, id string) error {
	var d struct {
		ProjectID  string         `bun:"project_id"`
		EntityType string         `bun:"entity_type"`
		TaskTypeID sql.NullString `bun:"task_type_id"`
		FieldName  string         `bun:"field_name"`
	}
	err := tx.NewRaw("SELECT project_id::text, entity_type, task_type_id::text, field_name FROM metadata_descriptor WHERE id = ?", id).Scan(ctx, &d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	switch d.EntityType {
	case "Project":
		_, err = tx.NewRaw("UPDATE project SET data = data - ? WHERE id = ? AND jsonb_exists(data, ?)", d.FieldName, d.ProjectID, d.FieldName).Exec(ctx)
	case "Task":
		_, err = tx.NewRaw("UPDATE task SET data = data - ? WHERE project_id = ? AND task_type_id = ? AND jsonb_exists(data, ?)",
			d.FieldName, d.ProjectID, d.TaskTypeID, d.FieldName).Exec(ctx)
	default:
		_, err = tx.NewRaw("UPDATE entity SET data = data - ? WHERE project_id = ? AND jsonb_exists(data, ?)", d.FieldName, d.ProjectID, d.FieldName).Exec(ctx)
	}
	return err
}

// scheduleItemHooks refuses a second item for the same project, task type
// and object, and ignores a man_days sent as a string on update (Kitsu's
// cells send "" while typing), as Zou does.
func scheduleItemHooks(h engine.Hooks) engine.Hooks {
	h.BeforeWrite = func(ctx context.Context, tx bun.IDB, row, before any, _ *engine.Principal) error {
		if before != nil {
			return nil
		}
		si := row.(*ScheduleItem)
		var exists bool
		err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM schedule_item WHERE project_id IS NOT DISTINCT FROM ?
 AND task_type_id IS NOT DISTINCT FROM ? AND object_id IS NOT DISTINCT FROM ?)`, si.ProjectID, si.TaskTypeID, si.ObjectID).Scan(ctx, &exists)
		if err != nil {
			return err
		}
		if exists {
			return engine.BadRequest("A similar schedule item already exists")
		}
		return nil
	}
	h.FilterUpdate = func(_ *engine.Principal, _ string, body map[string]json.RawMessage) map[string]json.RawMessage {
		if raw, ok := body["man_days"]; ok && len(bytes.TrimSpace(raw)) > 0 && bytes.TrimSpace(raw)[0] == '"' {
			delete(body, "man_days")
		}
		return body
	}
	return h
}
