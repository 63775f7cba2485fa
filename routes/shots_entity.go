package routes

import (
	"github.com/zou-go/zou/access"
	"github.com/zou-go/zou/engine"
)

// shotsDeleteAllowed is the permission of Zou's delete routes: the entity's
// creator, or a manager of its project. Zou lets a creator who left the team
// through (and, for sequences, checks nothing at all); here the creator must
// still reach the production, else the row answers 404. The removal itself
// is removeEntities (purge.go).
func shotsDeleteAllowed(en *access.Entity) error {
	if !en.Readable() {
		return engine.NotFound()
	}
	if en.IsCreator() {
		return nil
	}
	return en.RequireManager()
}
