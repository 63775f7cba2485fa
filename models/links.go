package models

import (
	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// The link tables below have a composite primary key and no id: they only
// back the many-to-many relations declared in Register.

// AssetInstanceLink casts an asset instance in a shot or scene (Entity.instance_casting).
type AssetInstanceLink struct {
	bun.BaseModel   `bun:"table:asset_instance_link"`
	EntityID        uuid.UUID `bun:"entity_id,pk,type:uuid"`
	AssetInstanceID uuid.UUID `bun:"asset_instance_id,pk,type:uuid"`
}

// ChatParticipant makes a person a participant of an entity chat.
type ChatParticipant struct {
	bun.BaseModel `bun:"table:chat_participant"`
	ChatID        uuid.UUID `bun:"chat_id,pk,type:uuid"`
	PersonID      uuid.UUID `bun:"person_id,pk,type:uuid"`
}

// CommentAcknowledgment records that a person acknowledged a comment (the table name is misspelt in Zou).
type CommentAcknowledgment struct {
	bun.BaseModel `bun:"table:comment_acknoledgments"`
	CommentID     uuid.UUID `bun:"comment,pk,type:uuid"`
	PersonID      uuid.UUID `bun:"person,pk,type:uuid"`
}

// CommentDepartmentMention records a department mentioned in a comment.
type CommentDepartmentMention struct {
	bun.BaseModel `bun:"table:comment_department_mentions"`
	CommentID     uuid.UUID `bun:"comment,pk,type:uuid"`
	DepartmentID  uuid.UUID `bun:"department,pk,type:uuid"`
}

// CommentMention records a person mentioned in a comment.
type CommentMention struct {
	bun.BaseModel `bun:"table:comment_mentions"`
	CommentID     uuid.UUID `bun:"comment,pk,type:uuid"`
	PersonID      uuid.UUID `bun:"person,pk,type:uuid"`
}

// CommentPreviewLink attaches a preview file to the comment that published it.
type CommentPreviewLink struct {
	bun.BaseModel `bun:"table:comment_preview_link"`
	CommentID     uuid.UUID `bun:"comment,pk,type:uuid"`
	PreviewFileID uuid.UUID `bun:"preview_file,pk,type:uuid"`
}

// DepartmentLink puts a person in a department.
type DepartmentLink struct {
	bun.BaseModel `bun:"table:department_link"`
	PersonID      uuid.UUID `bun:"person_id,pk,type:uuid"`
	DepartmentID  uuid.UUID `bun:"department_id,pk,type:uuid"`
}

// DepartmentMetadataDescriptorLink gives a department access to a metadata column.
type DepartmentMetadataDescriptorLink struct {
	bun.BaseModel        `bun:"table:department_metadata_descriptor_link"`
	MetadataDescriptorID uuid.UUID `bun:"metadata_descriptor_id,pk,type:uuid"`
	DepartmentID         uuid.UUID `bun:"department_id,pk,type:uuid"`
}

// ProductionScheduleVersionTaskLinkPersonLink assigns a person to a task in a schedule version.
type ProductionScheduleVersionTaskLinkPersonLink struct {
	bun.BaseModel                       `bun:"table:production_schedule_version_task_link_person_link"`
	ProductionScheduleVersionTaskLinkID uuid.UUID `bun:"production_schedule_version_task_link_id,pk,type:uuid"`
	PersonID                            uuid.UUID `bun:"person_id,pk,type:uuid"`
}

// ProjectAssetTypeLink enables an asset type in a production.
type ProjectAssetTypeLink struct {
	bun.BaseModel `bun:"table:project_asset_type_link"`
	ProjectID     uuid.UUID `bun:"project_id,pk,type:uuid"`
	AssetTypeID   uuid.UUID `bun:"asset_type_id,pk,type:uuid"`
}

// ProjectPersonLink puts a person in a production team, optionally with a per-project role.
type ProjectPersonLink struct {
	bun.BaseModel `bun:"table:project_person_link"`
	ProjectID     uuid.UUID `bun:"project_id,pk,type:uuid"`
	PersonID      uuid.UUID `bun:"person_id,pk,type:uuid"`
	ShotgunID     *int      `bun:"shotgun_id,type:integer"`
	Role          *string   `bun:"role,type:varchar(255)"`
}

// ProjectPreviewBackgroundFileLink enables a preview background in a production.
type ProjectPreviewBackgroundFileLink struct {
	bun.BaseModel           `bun:"table:project_preview_background_file_link"`
	ProjectID               uuid.UUID `bun:"project_id,pk,type:uuid"`
	PreviewBackgroundFileID uuid.UUID `bun:"preview_background_file_id,pk,type:uuid"`
}

// ProjectStatusAutomationLink enables a status automation in a production.
type ProjectStatusAutomationLink struct {
	bun.BaseModel      `bun:"table:project_status_automation_link"`
	ProjectID          uuid.UUID `bun:"project_id,pk,type:uuid"`
	StatusAutomationID uuid.UUID `bun:"status_automation_id,pk,type:uuid"`
}

// ProjectTemplateAssetTypeLink enables an asset type in a project template.
type ProjectTemplateAssetTypeLink struct {
	bun.BaseModel     `bun:"table:project_template_asset_type_link"`
	ProjectTemplateID uuid.UUID `bun:"project_template_id,pk,type:uuid"`
	AssetTypeID       uuid.UUID `bun:"asset_type_id,pk,type:uuid"`
}

// ProjectTemplatePreviewBackgroundFileLink enables a preview background in a project template.
type ProjectTemplatePreviewBackgroundFileLink struct {
	bun.BaseModel           `bun:"table:project_template_preview_background_file_link"`
	ProjectTemplateID       uuid.UUID `bun:"project_template_id,pk,type:uuid"`
	PreviewBackgroundFileID uuid.UUID `bun:"preview_background_file_id,pk,type:uuid"`
}

// ProjectTemplateStatusAutomationLink enables a status automation in a project template.
type ProjectTemplateStatusAutomationLink struct {
	bun.BaseModel      `bun:"table:project_template_status_automation_link"`
	ProjectTemplateID  uuid.UUID `bun:"project_template_id,pk,type:uuid"`
	StatusAutomationID uuid.UUID `bun:"status_automation_id,pk,type:uuid"`
}

// TaskPersonLink assigns a person to a task.
type TaskPersonLink struct {
	bun.BaseModel `bun:"table:task_person_link"`
	TaskID        uuid.UUID `bun:"task_id,pk,type:uuid"`
	PersonID      uuid.UUID `bun:"person_id,pk,type:uuid"`
}

// TaskTypeAssetTypeLink says which task types apply to an asset type.
type TaskTypeAssetTypeLink struct {
	bun.BaseModel `bun:"table:task_type_asset_type_link"`
	AssetTypeID   uuid.UUID `bun:"asset_type_id,pk,type:uuid"`
	TaskTypeID    uuid.UUID `bun:"task_type_id,pk,type:uuid"`
}
