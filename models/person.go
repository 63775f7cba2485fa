package models

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Person is a user account of the studio: an artist, a supervisor, a client, a bot...
type Person struct {
	bun.BaseModel `bun:"table:person"`
	Base
	FirstName                        string          `bun:"first_name,notnull,type:varchar(80)"`
	LastName                         string          `bun:"last_name,notnull,type:varchar(80)"`
	Email                            *string         `bun:"email,type:varchar(255)"`
	Phone                            *string         `bun:"phone,type:varchar(30)"`
	Country                          *string         `bun:"country,type:varchar(2)"`
	ContractType                     string          `bun:"contract_type,notnull,type:varchar(255),default:'open-ended'"`
	Active                           *bool           `bun:"active,type:boolean,default:true"`
	Archived                         *bool           `bun:"archived,type:boolean,default:false"`
	LastPresence                     *time.Time      `bun:"last_presence,type:date"`
	Password                         []byte          `bun:"password,type:bytea"`
	DesktopLogin                     *string         `bun:"desktop_login,type:varchar(80)"`
	LoginFailedAttemps               *int            `bun:"login_failed_attemps,type:integer,default:0"`
	LastLoginFailed                  *time.Time      `bun:"last_login_failed,type:timestamp"`
	TOTPEnabled                      *bool           `bun:"totp_enabled,type:boolean,default:false"`
	TOTPSecret                       *string         `bun:"totp_secret,type:varchar(32)"`
	EmailOTPEnabled                  *bool           `bun:"email_otp_enabled,type:boolean,default:false"`
	EmailOTPSecret                   *string         `bun:"email_otp_secret,type:varchar(32)"`
	FIDOEnabled                      *bool           `bun:"fido_enabled,type:boolean,default:false"`
	FIDOCredentials                  []JSONValue     `bun:"fido_credentials,array,type:jsonb[]"`
	OTPRecoveryCodes                 [][]byte        `bun:"otp_recovery_codes,array,type:bytea[]"`
	PreferredTwoFactorAuthentication *string         `bun:"preferred_two_factor_authentication,type:varchar(255)"`
	ShotgunID                        *int            `bun:"shotgun_id,type:integer"`
	Timezone                         *string         `bun:"timezone,type:varchar(50)"`
	Locale                           *string         `bun:"locale,type:varchar(10)"`
	Use12HourClock                   *bool           `bun:"use_12_hour_clock,type:boolean,default:false"`
	DisplayDateFormat                *string         `bun:"display_date_format,type:varchar(20),default:'YYYY-MM-DD'"`
	Data                             json.RawMessage `bun:"data,type:jsonb,nullzero"`
	Role                             string          `bun:"role,notnull,type:varchar(255),default:'user'"`
	Position                         *string         `bun:"position,type:varchar(255),default:'artist'"`
	Seniority                        *string         `bun:"seniority,type:varchar(255),default:'mid'"`
	DailySalary                      *int            `bun:"daily_salary,type:integer,default:0"`
	HasAvatar                        *bool           `bun:"has_avatar,type:boolean,default:false"`
	NotificationsEnabled             *bool           `bun:"notifications_enabled,type:boolean,default:false"`
	NotificationsSlackEnabled        *bool           `bun:"notifications_slack_enabled,type:boolean,default:false"`
	NotificationsSlackUserID         *string         `bun:"notifications_slack_userid,type:varchar(60),default:''"`
	NotificationsMattermostEnabled   *bool           `bun:"notifications_mattermost_enabled,type:boolean,default:false"`
	NotificationsMattermostUserID    *string         `bun:"notifications_mattermost_userid,type:varchar(60),default:''"`
	NotificationsDiscordEnabled      *bool           `bun:"notifications_discord_enabled,type:boolean,default:false"`
	NotificationsDiscordUserID       *string         `bun:"notifications_discord_userid,type:varchar(60),default:''"`
	IsBot                            bool            `bun:"is_bot,notnull,type:boolean,default:false"`
	IsGuest                          bool            `bun:"is_guest,notnull,type:boolean,default:false"`
	JTI                              *string         `bun:"jti,type:varchar(60)"`
	ExpirationDate                   *time.Time      `bun:"expiration_date,type:date"`
	IsGeneratedFromLDAP              *bool           `bun:"is_generated_from_ldap,type:boolean,default:false"`
	LDAPUID                          *string         `bun:"ldap_uid,type:varchar(60)"`
	StudioID                         *uuid.UUID      `bun:"studio_id,type:uuid"`
}
