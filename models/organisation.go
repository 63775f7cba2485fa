package models

import (
	"github.com/uptrace/bun"
)

// Organisation holds the studio-wide settings (working hours, chat integrations, display options).
type Organisation struct {
	bun.BaseModel `bun:"table:organisation"`
	Base
	Name                  string  `bun:"name,notnull,type:varchar(80)"`
	HoursByDay            float64 `bun:"hours_by_day,notnull,type:double precision,default:8"`
	HasAvatar             *bool   `bun:"has_avatar,type:boolean,default:false"`
	UseOriginalFileName   *bool   `bun:"use_original_file_name,type:boolean,default:false"`
	TimesheetsLocked      *bool   `bun:"timesheets_locked,type:boolean,default:false"`
	HDByDefault           *bool   `bun:"hd_by_default,type:boolean,default:false"`
	ChatTokenSlack        *string `bun:"chat_token_slack,type:varchar(80),default:''"`
	ChatWebhookMattermost *string `bun:"chat_webhook_mattermost,type:varchar(80),default:''"`
	ChatTokenDiscord      *string `bun:"chat_token_discord,type:varchar(80),default:''"`
	DarkThemeByDefault    *bool   `bun:"dark_theme_by_default,type:boolean,default:false"`
	FormatDurationInHours *bool   `bun:"format_duration_in_hours,type:boolean,default:false"`
}
