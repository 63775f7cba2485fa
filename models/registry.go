package models

import "github.com/zou-go/zou/engine"

// SQL expressions giving the project of a row (alias "t") reached through another table.
const (
	projectOfTask         = `(SELECT task.project_id FROM task WHERE task.id = t.task_id)`
	projectOfEntity       = `(SELECT entity.project_id FROM entity WHERE entity.id = t.entity_id)`
	projectOfPlaylist     = `(SELECT playlist.project_id FROM playlist WHERE playlist.id = t.playlist_id)`
	projectOfObjectTask   = `(SELECT task.project_id FROM task WHERE task.id = t.object_id)`
	projectOfObjectEntity = `(SELECT entity.project_id FROM entity WHERE entity.id = t.object_id)`
	projectOfChat         = `(SELECT entity.project_id FROM chat JOIN entity ON entity.id = chat.object_id WHERE chat.id = t.chat_id)`
	projectOfAttachment   = `COALESCE(` +
		`(SELECT task.project_id FROM comment JOIN task ON task.id = comment.object_id WHERE comment.id = t.comment_id), ` +
		`(SELECT entity.project_id FROM chat_message JOIN chat ON chat.id = chat_message.chat_id ` +
		`JOIN entity ON entity.id = chat.object_id WHERE chat_message.id = t.chat_message_id))`
)

// assignedOnEntity is the "assigned" condition for rows hanging on an entity:
// the person is assigned to one of that entity's tasks.
func assignedOnEntity(entityCol string) string {
	return `EXISTS (SELECT 1 FROM task x JOIN task_person_link a ON a.task_id = x.id WHERE x.entity_id = ` +
		entityCol + ` AND a.person_id = ?)`
}

// Register declares every Zou table in r: the one list of entities.
func Register(r *engine.Registry) {
	// Events and logs.
	engine.Add[APIEvent](r, "events", engine.TypeName("ApiEvent"), engine.ListCap(1000))
	engine.AddTable[DataImportError](r)
	engine.AddTable[DesktopLoginLog](r, engine.Owner("person_id"))
	engine.AddTable[LoginLog](r, engine.Owner("person_id"))

	// Studio reference tables.
	engine.Add[Organisation](r, "organisations")
	engine.Add[Studio](r, "studios")
	engine.Add[Department](r, "departments")
	engine.Add[Person](r, "persons",
		engine.Hidden("password", "totp_secret", "email_otp_secret", "otp_recovery_codes",
			"fido_credentials", "jti", "login_failed_attemps", "last_login_failed"),
		engine.WriteOnly("password"),
		engine.UpdateProtected("password", "jti"),
		engine.UpdateRelations(),
		engine.ManyToMany("departments", "department_link", "person_id", "department_id"),
		engine.Owner("id"),
		engine.Computed("full_name", `trim(concat_ws(' ', nullif(t.first_name, ''), nullif(t.last_name, '')))`),
	)
	engine.Add[ProjectStatus](r, "project-status")
	engine.Add[EntityType](r, "entity-types",
		engine.Event("asset-type"),
		engine.UpdateRelations(),
		engine.ManyToMany("task_types", "task_type_asset_type_link", "asset_type_id", "task_type_id"),
	)
	engine.Add[TaskType](r, "task-types")
	engine.Add[TaskStatus](r, "task-status")
	engine.Add[FileStatus](r, "file-status")
	engine.Add[OutputType](r, "output-types")
	engine.Add[Software](r, "softwares")
	engine.Add[HardwareItem](r, "hardware-items")
	engine.AddTable[SoftwareDepartmentLink](r)
	engine.AddTable[HardwareItemDepartmentLink](r)
	engine.Add[SalaryScale](r, "salary-scales", engine.UpdateProtected("department_id"))
	engine.Add[PreviewBackgroundFile](r, "preview-background-files")
	engine.Add[StatusAutomation](r, "status-automations")
	engine.Add[CustomAction](r, "custom-actions")
	engine.Add[Plugin](r, "plugins")
	engine.Add[DayOff](r, "day-offs", engine.Owner("person_id"))

	// Productions and their settings.
	engine.Add[Project](r, "projects",
		engine.Project("t.id"),
		engine.UpdateProtected("team"),
		engine.ManyToMany("team", "project_person_link", "project_id", "person_id"),
		engine.ManyToMany("asset_types", "project_asset_type_link", "project_id", "asset_type_id"),
		engine.ManyToMany("task_statuses", "project_task_status_link", "project_id", "task_status_id"),
		engine.ManyToMany("task_types", "project_task_type_link", "project_id", "task_type_id"),
		engine.ManyToMany("status_automations", "project_status_automation_link", "project_id", "status_automation_id"),
		engine.ManyToMany("preview_background_files", "project_preview_background_file_link", "project_id", "preview_background_file_id"),
	)
	engine.AddTable[ProjectTaskStatusLink](r)
	engine.AddTable[ProjectTaskTypeLink](r)
	engine.Add[ProjectTemplate](r, "project-templates",
		engine.ManyToMany("task_types", "project_template_task_type_link", "project_template_id", "task_type_id"),
		engine.ManyToMany("task_statuses", "project_template_task_status_link", "project_template_id", "task_status_id"),
		engine.ManyToMany("asset_types", "project_template_asset_type_link", "project_template_id", "asset_type_id"),
		engine.ManyToMany("status_automations", "project_template_status_automation_link", "project_template_id", "status_automation_id"),
		engine.ManyToMany("preview_background_files", "project_template_preview_background_file_link", "project_template_id", "preview_background_file_id"),
	)
	engine.AddTable[ProjectTemplateTaskStatusLink](r)
	engine.AddTable[ProjectTemplateTaskTypeLink](r)
	engine.Add[MetadataDescriptor](r, "metadata-descriptors",
		engine.ManyToMany("departments", "department_metadata_descriptor_link", "metadata_descriptor_id", "department_id"),
		engine.WithHooks(engine.Hooks{ListRelations: true}),
	)
	engine.Add[Milestone](r, "milestones")
	engine.Add[ScheduleItem](r, "schedule-items")
	engine.Add[ProductionScheduleVersion](r, "production-schedule-versions")
	engine.Add[ProductionScheduleVersionTaskLink](r, "production-schedule-version-task-links",
		engine.Project(`(SELECT production_schedule_version.project_id FROM production_schedule_version `+
			`WHERE production_schedule_version.id = t.production_schedule_version_id)`),
		engine.UpdateProtected("task_id", "production_schedule_version_id"),
		engine.ManyToMany("assignees", "production_schedule_version_task_link_person_link",
			"production_schedule_version_task_link_id", "person_id"),
	)
	engine.Add[Budget](r, "budgets", engine.UpdateProtected("revision"))
	engine.Add[BudgetEntry](r, "budget-entries",
		engine.Project(`(SELECT budget.project_id FROM budget WHERE budget.id = t.budget_id)`),
		engine.UpdateProtected("budget_id"),
	)

	// Production elements.
	engine.Add[Entity](r, "entities",
		engine.UpdateProtected("shotgun_id", "created_by", "instance_casting", "entities_in", "entities_out"),
		engine.WithHooks(engine.Hooks{MergeJSON: true}),
		engine.Creator("created_by"),
		engine.ManyToMany("entities_out", "entity_link", "entity_in_id", "entity_out_id"),
		engine.ManyToMany("entity_concept_links", "entity_concept_link", "entity_in_id", "entity_out_id"),
		engine.ManyToMany("instance_casting", "asset_instance_link", "entity_id", "asset_instance_id"),
		engine.ManyToMany("entities_in", "entity_link", "entity_out_id", "entity_in_id"),
	)
	engine.Add[EntityLink](r, "entity-links",
		engine.Project(`(SELECT entity.project_id FROM entity WHERE entity.id = t.entity_in_id)`),
	)
	engine.AddTable[EntityConceptLink](r,
		engine.Project(`(SELECT entity.project_id FROM entity WHERE entity.id = t.entity_in_id)`),
	)
	engine.AddTable[EntityVersion](r, engine.Project(projectOfEntity))
	engine.Add[AssetInstance](r, "asset-instances",
		engine.Project(`(SELECT entity.project_id FROM entity WHERE entity.id = t.asset_id)`),
		engine.UpdateProtected("number"),
		engine.Assigned(assignedOnEntity("t.asset_id")),
		engine.ManyToMany("shots", "asset_instance_link", "asset_instance_id", "entity_id"),
	)
	engine.Add[Task](r, "tasks",
		engine.WithHooks(engine.Hooks{MergeJSON: true}),
		engine.ManyToMany("assignees", "task_person_link", "task_id", "person_id"),
	)
	engine.Add[TimeSpent](r, "time-spents", engine.Project(projectOfTask), engine.Owner("person_id"))
	engine.Add[Comment](r, "comments",
		engine.Project(projectOfObjectTask),
		engine.UpdateProtected("mentions", "department_mentions"),
		engine.Assigned(`EXISTS (SELECT 1 FROM task_person_link a WHERE a.task_id = t.object_id AND a.person_id = ?)`),
		engine.Author("person_id"),
		engine.ManyToMany("previews", "comment_preview_link", "comment", "preview_file"),
		engine.ManyToMany("mentions", "comment_mentions", "comment", "person"),
		engine.ManyToMany("department_mentions", "comment_department_mentions", "comment", "department"),
		engine.ManyToMany("acknowledgements", "comment_acknoledgments", "comment", "person"),
		engine.HasMany("attachment_files", "attachment_file", "comment_id"),
	)
	engine.Add[AttachmentFile](r, "attachment-files",
		engine.Project(projectOfAttachment),
		engine.Nested("comment", "comment_id", "comment"),
		engine.Nested("chat_message", "chat_message_id", "chat_message"),
	)
	engine.Add[PreviewFile](r, "preview-files",
		engine.Project(projectOfTask),
		engine.ManyToMany("comments", "comment_preview_link", "preview_file", "comment"),
	)
	engine.Add[WorkingFile](r, "working-files",
		engine.Project(`COALESCE(`+projectOfTask+`, `+projectOfEntity+`)`),
		engine.HasMany("outputs", "output_file", "source_file_id"),
	)
	engine.Add[OutputFile](r, "output-files",
		engine.Project(projectOfEntity),
		engine.Assigned(assignedOnEntity("t.entity_id")),
		engine.Nested("source_file", "source_file_id", "working_file"),
	)
	engine.Add[News](r, "news", engine.Project(projectOfTask))
	engine.Add[Notification](r, "notifications",
		engine.Project(`COALESCE(`+projectOfTask+`, `+projectOfPlaylist+`)`),
		engine.Owner("person_id"),
		engine.Rename("type", "notification_type"),
	)
	engine.Add[Subscription](r, "subscriptions",
		engine.Project(`COALESCE(`+projectOfTask+`, `+projectOfEntity+`)`),
		engine.Owner("person_id"),
	)
	engine.Add[SearchFilter](r, "search-filters", engine.Owner("person_id"))
	engine.Add[SearchFilterGroup](r, "search-filter-groups", engine.Owner("person_id"))

	// Reviews.
	engine.Add[Playlist](r, "playlists",
		engine.Creator("created_by"),
		engine.HasMany("build_jobs", "build_job", "playlist_id"),
	)
	engine.AddTable[BuildJob](r, engine.Project(projectOfPlaylist))
	engine.AddTable[PlaylistShareLink](r,
		engine.Project(projectOfPlaylist),
		engine.Hidden("password"),
		engine.Creator("created_by"),
	)

	// Chats.
	engine.Add[Chat](r, "chats",
		engine.Project(projectOfObjectEntity),
		engine.ManyToMany("participants", "chat_participant", "chat_id", "person_id"),
	)
	engine.Add[ChatMessage](r, "chat-messages",
		engine.Project(projectOfChat),
		engine.HasMany("attachment_files", "attachment_file", "chat_message_id"),
	)

	// Link tables without an id (composite primary keys).
	engine.AddTable[AssetInstanceLink](r)
	engine.AddTable[ChatParticipant](r)
	engine.AddTable[CommentAcknowledgment](r)
	engine.AddTable[CommentDepartmentMention](r)
	engine.AddTable[CommentMention](r)
	engine.AddTable[CommentPreviewLink](r)
	engine.AddTable[DepartmentLink](r)
	engine.AddTable[DepartmentMetadataDescriptorLink](r)
	engine.AddTable[ProductionScheduleVersionTaskLinkPersonLink](r)
	engine.AddTable[ProjectAssetTypeLink](r)
	engine.AddTable[ProjectPersonLink](r)
	engine.AddTable[ProjectPreviewBackgroundFileLink](r)
	engine.AddTable[ProjectStatusAutomationLink](r)
	engine.AddTable[ProjectTemplateAssetTypeLink](r)
	engine.AddTable[ProjectTemplatePreviewBackgroundFileLink](r)
	engine.AddTable[ProjectTemplateStatusAutomationLink](r)
	engine.AddTable[TaskPersonLink](r)
	engine.AddTable[TaskTypeAssetTypeLink](r)
}
