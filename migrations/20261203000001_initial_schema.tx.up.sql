-- Zou 1.0.67's PostgreSQL schema: 77 tables, the import_source_enum type,
-- their keys, indexes and foreign keys, with the names Zou's own alembic
-- migrations give them.
--
-- A studio may point this server at a database Zou already created, so every
-- statement only adds what is missing: CREATE ... IF NOT EXISTS for tables and
-- indexes, DO blocks that look the type or a constraint up before adding it.
-- Nothing here alters or drops an existing object.
--
-- Server defaults: Zou sets most defaults in Python, so only the columns whose
-- live Zou database has a DEFAULT carry one here; the Go code must fill in the
-- others (see models.md).

-- Type of data_import_error.source. CREATE TYPE has no IF NOT EXISTS.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typname = 'import_source_enum' AND n.nspname = current_schema()
    ) THEN
        CREATE TYPE import_source_enum AS ENUM ('csv', 'shotgun');
    END IF;
END
$$;

--bun:split

-- Tables, in alphabetical order. Foreign keys come after all of them because
-- they form cycles (entity -> preview_file -> task -> entity).

CREATE TABLE IF NOT EXISTS api_event (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name       varchar(80) NOT NULL,
    user_id    uuid,
    project_id uuid,
    data       jsonb,
    CONSTRAINT api_event_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS asset_instance (
    id              uuid NOT NULL,
    created_at      timestamp without time zone,
    updated_at      timestamp without time zone,
    asset_id        uuid NOT NULL,
    name            varchar(80),
    number          integer,
    description     varchar(200),
    active          boolean,
    data            jsonb,
    scene_id        uuid,
    target_asset_id uuid,
    entity_id       uuid,
    entity_type_id  uuid,
    CONSTRAINT asset_instance_pkey PRIMARY KEY (id),
    CONSTRAINT asset_instance_uc UNIQUE (asset_id, target_asset_id, scene_id, number)
);

CREATE TABLE IF NOT EXISTS asset_instance_link (
    entity_id         uuid NOT NULL,
    asset_instance_id uuid NOT NULL,
    CONSTRAINT asset_instance_link_pkey PRIMARY KEY (entity_id, asset_instance_id)
);

CREATE TABLE IF NOT EXISTS attachment_file (
    id              uuid NOT NULL,
    created_at      timestamp without time zone,
    updated_at      timestamp without time zone,
    name            varchar(250),
    size            bigint,
    extension       varchar(6),
    mimetype        varchar(255),
    comment_id      uuid,
    reply_id        uuid,
    chat_message_id uuid,
    CONSTRAINT attachment_file_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS budget (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    project_id uuid,
    revision   integer NOT NULL,
    name       varchar(255) NOT NULL,
    currency   varchar(3),
    CONSTRAINT budget_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS budget_entry (
    id              uuid NOT NULL,
    created_at      timestamp without time zone,
    updated_at      timestamp without time zone,
    budget_id       uuid NOT NULL,
    department_id   uuid NOT NULL,
    person_id       uuid,
    start_date      date NOT NULL,
    months_duration integer NOT NULL,
    daily_salary    double precision NOT NULL,
    position        varchar(255),
    seniority       varchar(255),
    exceptions      jsonb,
    CONSTRAINT budget_entry_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS build_job (
    id          uuid NOT NULL,
    created_at  timestamp without time zone,
    updated_at  timestamp without time zone,
    status      varchar(255) NOT NULL,
    job_type    varchar(255) NOT NULL,
    ended_at    timestamp without time zone,
    playlist_id uuid NOT NULL,
    CONSTRAINT build_job_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS chat (
    id           uuid NOT NULL,
    created_at   timestamp without time zone,
    updated_at   timestamp without time zone,
    object_id    uuid NOT NULL,
    object_type  varchar(80) NOT NULL,
    last_message timestamp without time zone,
    CONSTRAINT chat_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS chat_message (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    chat_id    uuid NOT NULL,
    person_id  uuid NOT NULL,
    text       text,
    CONSTRAINT chat_message_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS chat_participant (
    chat_id   uuid NOT NULL,
    person_id uuid NOT NULL,
    CONSTRAINT chat_participant_pkey PRIMARY KEY (chat_id, person_id)
);

CREATE TABLE IF NOT EXISTS comment (
    id              uuid NOT NULL,
    created_at      timestamp without time zone,
    updated_at      timestamp without time zone,
    shotgun_id      integer,
    object_id       uuid NOT NULL,
    object_type     varchar(80) NOT NULL,
    text            text,
    data            jsonb,
    replies         jsonb,
    checklist       jsonb,
    pinned          boolean,
    for_client      boolean DEFAULT false,
    links           varchar[],
    task_status_id  uuid,
    person_id       uuid NOT NULL,
    editor_id       uuid,
    preview_file_id uuid,
    CONSTRAINT comment_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS comment_acknoledgments (
    comment uuid NOT NULL,
    person  uuid NOT NULL,
    CONSTRAINT comment_acknoledgments_pkey PRIMARY KEY (comment, person)
);

CREATE TABLE IF NOT EXISTS comment_department_mentions (
    comment    uuid NOT NULL,
    department uuid NOT NULL,
    CONSTRAINT comment_department_mentions_pkey PRIMARY KEY (comment, department)
);

CREATE TABLE IF NOT EXISTS comment_mentions (
    comment uuid NOT NULL,
    person  uuid NOT NULL,
    CONSTRAINT comment_mentions_pkey PRIMARY KEY (comment, person)
);

CREATE TABLE IF NOT EXISTS comment_preview_link (
    comment      uuid NOT NULL,
    preview_file uuid NOT NULL,
    CONSTRAINT comment_preview_link_pkey PRIMARY KEY (comment, preview_file)
);

CREATE TABLE IF NOT EXISTS custom_action (
    id          uuid NOT NULL,
    created_at  timestamp without time zone,
    updated_at  timestamp without time zone,
    name        varchar(80) NOT NULL,
    url         varchar(400),
    entity_type varchar(40),
    is_ajax     boolean,
    CONSTRAINT custom_action_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS data_import_error (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    event_data jsonb NOT NULL,
    source     import_source_enum,
    CONSTRAINT data_import_error_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS day_off (
    id          uuid NOT NULL,
    created_at  timestamp without time zone,
    updated_at  timestamp without time zone,
    date        date NOT NULL,
    end_date    date NOT NULL,
    description text,
    person_id   uuid,
    CONSTRAINT day_off_pkey PRIMARY KEY (id),
    CONSTRAINT day_off_uc UNIQUE (person_id, date),
    CONSTRAINT day_off_date_check CHECK (date <= end_date)
);

CREATE TABLE IF NOT EXISTS department (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name       varchar(80) NOT NULL,
    color      varchar(7) NOT NULL,
    archived   boolean,
    CONSTRAINT department_pkey PRIMARY KEY (id),
    CONSTRAINT department_name_key UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS department_link (
    person_id     uuid NOT NULL,
    department_id uuid NOT NULL,
    CONSTRAINT department_link_pkey PRIMARY KEY (person_id, department_id)
);

CREATE TABLE IF NOT EXISTS department_metadata_descriptor_link (
    metadata_descriptor_id uuid NOT NULL,
    department_id          uuid NOT NULL,
    CONSTRAINT department_metadata_descriptor_link_pkey PRIMARY KEY (metadata_descriptor_id, department_id)
);

CREATE TABLE IF NOT EXISTS desktop_login_log (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    person_id  uuid NOT NULL,
    date       timestamp without time zone NOT NULL,
    CONSTRAINT desktop_login_log_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS entity (
    id                 uuid NOT NULL,
    created_at         timestamp without time zone,
    updated_at         timestamp without time zone,
    name               varchar(160) NOT NULL,
    code               varchar(160),
    description        text,
    shotgun_id         integer,
    canceled           boolean,
    nb_frames          integer,
    nb_entities_out    integer,
    is_casting_standby boolean,
    is_shared          boolean NOT NULL DEFAULT false,
    status             varchar(255) NOT NULL,
    project_id         uuid NOT NULL,
    entity_type_id     uuid NOT NULL,
    parent_id          uuid,
    source_id          uuid,
    preview_file_id    uuid,
    data               jsonb,
    ready_for          uuid,
    created_by         uuid,
    CONSTRAINT entity_pkey PRIMARY KEY (id),
    CONSTRAINT entity_uc UNIQUE (name, project_id, entity_type_id, parent_id)
);

CREATE TABLE IF NOT EXISTS entity_concept_link (
    id            uuid NOT NULL,
    created_at    timestamp without time zone,
    updated_at    timestamp without time zone,
    entity_in_id  uuid NOT NULL,
    entity_out_id uuid NOT NULL,
    CONSTRAINT entity_concept_link_pkey PRIMARY KEY (entity_in_id, entity_out_id, id)
);

CREATE TABLE IF NOT EXISTS entity_link (
    id            uuid NOT NULL,
    created_at    timestamp without time zone,
    updated_at    timestamp without time zone,
    entity_in_id  uuid NOT NULL,
    entity_out_id uuid NOT NULL,
    data          jsonb,
    nb_occurences integer,
    label         varchar(80),
    CONSTRAINT entity_link_pkey PRIMARY KEY (entity_in_id, entity_out_id, id),
    CONSTRAINT entity_link_uc UNIQUE (entity_in_id, entity_out_id)
);

CREATE TABLE IF NOT EXISTS entity_type (
    id          uuid NOT NULL,
    created_at  timestamp without time zone,
    updated_at  timestamp without time zone,
    name        varchar(30) NOT NULL,
    short_name  varchar(20),
    description text,
    archived    boolean,
    CONSTRAINT entity_type_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS entity_version (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name       varchar(160) NOT NULL,
    data       jsonb,
    entity_id  uuid,
    person_id  uuid,
    CONSTRAINT entity_version_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS file_status (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name       varchar(40) NOT NULL,
    color      varchar(7) NOT NULL,
    CONSTRAINT file_status_pkey PRIMARY KEY (id),
    CONSTRAINT file_status_name_key UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS hardware_item (
    id               uuid NOT NULL,
    created_at       timestamp without time zone,
    updated_at       timestamp without time zone,
    name             varchar(40) NOT NULL,
    short_name       varchar(20) NOT NULL,
    archived         boolean,
    monthly_cost     integer,
    inventory_amount integer,
    CONSTRAINT hardware_item_pkey PRIMARY KEY (id),
    CONSTRAINT hardware_item_name_key UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS hardware_item_department_link (
    id               uuid NOT NULL,
    created_at       timestamp without time zone,
    updated_at       timestamp without time zone,
    department_id    uuid NOT NULL,
    hardware_item_id uuid NOT NULL,
    CONSTRAINT hardware_item_department_link_pkey PRIMARY KEY (department_id, hardware_item_id, id),
    CONSTRAINT hardware_item_department_link_uc UNIQUE (hardware_item_id, department_id)
);

CREATE TABLE IF NOT EXISTS login_log (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    person_id  uuid NOT NULL,
    ip_address varchar(50),
    origin     varchar(255),
    CONSTRAINT login_log_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS metadata_descriptor (
    id           uuid NOT NULL,
    created_at   timestamp without time zone,
    updated_at   timestamp without time zone,
    project_id   uuid NOT NULL,
    entity_type  varchar(60) NOT NULL,
    task_type_id uuid,
    name         varchar(120) NOT NULL,
    data_type    varchar(255),
    field_name   varchar(120) NOT NULL,
    choices      jsonb,
    for_client   boolean,
    position     integer,
    CONSTRAINT metadata_descriptor_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS milestone (
    id           uuid NOT NULL,
    created_at   timestamp without time zone,
    updated_at   timestamp without time zone,
    date         date,
    name         varchar(40) NOT NULL,
    project_id   uuid,
    task_type_id uuid,
    CONSTRAINT milestone_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS news (
    id              uuid NOT NULL,
    created_at      timestamp without time zone,
    updated_at      timestamp without time zone,
    change          boolean NOT NULL,
    author_id       uuid NOT NULL,
    comment_id      uuid,
    task_id         uuid NOT NULL,
    preview_file_id uuid,
    CONSTRAINT news_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS notification (
    id          uuid NOT NULL,
    created_at  timestamp without time zone,
    updated_at  timestamp without time zone,
    read        boolean NOT NULL,
    change      boolean NOT NULL,
    type        varchar(255) NOT NULL,
    person_id   uuid NOT NULL,
    author_id   uuid NOT NULL,
    comment_id  uuid,
    task_id     uuid,
    playlist_id uuid,
    reply_id    uuid,
    CONSTRAINT notification_pkey PRIMARY KEY (id),
    CONSTRAINT notification_uc UNIQUE (person_id, author_id, comment_id, reply_id, playlist_id, type)
);

CREATE TABLE IF NOT EXISTS organisation (
    id                       uuid NOT NULL,
    created_at               timestamp without time zone,
    updated_at               timestamp without time zone,
    name                     varchar(80) NOT NULL,
    hours_by_day             double precision NOT NULL,
    has_avatar               boolean,
    use_original_file_name   boolean,
    timesheets_locked        boolean,
    hd_by_default            boolean,
    chat_token_slack         varchar(80),
    chat_webhook_mattermost  varchar(80),
    chat_token_discord       varchar(80),
    dark_theme_by_default    boolean,
    format_duration_in_hours boolean,
    CONSTRAINT organisation_pkey PRIMARY KEY (id),
    CONSTRAINT organisation_name_key UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS output_file (
    id                 uuid NOT NULL,
    created_at         timestamp without time zone,
    updated_at         timestamp without time zone,
    shotgun_id         integer,
    name               varchar(250) NOT NULL,
    canceled           boolean NOT NULL,
    size               integer,
    checksum           varchar(32),
    description        text,
    comment            text,
    extension          varchar(10),
    revision           integer NOT NULL,
    representation     varchar(20),
    nb_elements        integer,
    source             varchar(40),
    path               varchar(400),
    data               jsonb,
    file_status_id     uuid NOT NULL,
    entity_id          uuid,
    asset_instance_id  uuid,
    output_type_id     uuid,
    task_type_id       uuid,
    person_id          uuid,
    source_file_id     uuid,
    temporal_entity_id uuid,
    CONSTRAINT output_file_pkey PRIMARY KEY (id),
    CONSTRAINT output_file_uc UNIQUE (name, entity_id, asset_instance_id, output_type_id, task_type_id, temporal_entity_id, representation, revision)
);

CREATE TABLE IF NOT EXISTS output_type (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name       varchar(40) NOT NULL,
    short_name varchar(20) NOT NULL,
    CONSTRAINT output_type_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS person (
    id                                  uuid NOT NULL,
    created_at                          timestamp without time zone,
    updated_at                          timestamp without time zone,
    first_name                          varchar(80) NOT NULL,
    last_name                           varchar(80) NOT NULL,
    email                               varchar(255),
    phone                               varchar(30),
    country                             varchar(2),
    contract_type                       varchar(255) NOT NULL DEFAULT 'open-ended'::character varying,
    active                              boolean,
    archived                            boolean,
    last_presence                       date,
    password                            bytea,
    desktop_login                       varchar(80),
    login_failed_attemps                integer,
    last_login_failed                   timestamp without time zone,
    totp_enabled                        boolean,
    totp_secret                         varchar(32),
    email_otp_enabled                   boolean,
    email_otp_secret                    varchar(32),
    fido_enabled                        boolean,
    fido_credentials                    jsonb[],
    otp_recovery_codes                  bytea[],
    preferred_two_factor_authentication varchar(255),
    shotgun_id                          integer,
    timezone                            varchar(50),
    locale                              varchar(10),
    use_12_hour_clock                   boolean,
    display_date_format                 varchar(20),
    data                                jsonb,
    role                                varchar(255) NOT NULL,
    position                            varchar(255),
    seniority                           varchar(255),
    daily_salary                        integer,
    has_avatar                          boolean,
    notifications_enabled               boolean,
    notifications_slack_enabled         boolean,
    notifications_slack_userid          varchar(60),
    notifications_mattermost_enabled    boolean,
    notifications_mattermost_userid     varchar(60),
    notifications_discord_enabled       boolean,
    notifications_discord_userid        varchar(60),
    is_bot                              boolean NOT NULL DEFAULT false,
    is_guest                            boolean NOT NULL DEFAULT false,
    jti                                 varchar(60),
    expiration_date                     date,
    is_generated_from_ldap              boolean,
    ldap_uid                            varchar(60),
    studio_id                           uuid,
    CONSTRAINT person_pkey PRIMARY KEY (id),
    CONSTRAINT person_jti_key UNIQUE (jti),
    CONSTRAINT person_ldap_uid_key UNIQUE (ldap_uid),
    CONSTRAINT person_shotgun_id_key UNIQUE (shotgun_id)
);

CREATE TABLE IF NOT EXISTS playlist (
    id           uuid NOT NULL,
    created_at   timestamp without time zone,
    updated_at   timestamp without time zone,
    name         varchar(80) NOT NULL,
    shots        jsonb,
    project_id   uuid,
    episode_id   uuid,
    task_type_id uuid,
    for_client   boolean,
    for_entity   varchar(10),
    is_for_all   boolean,
    created_by   uuid,
    CONSTRAINT playlist_pkey PRIMARY KEY (id),
    CONSTRAINT playlist_uc UNIQUE (name, project_id, episode_id)
);

CREATE TABLE IF NOT EXISTS playlist_share_link (
    id              uuid NOT NULL,
    created_at      timestamp without time zone,
    updated_at      timestamp without time zone,
    token           varchar(64) NOT NULL,
    playlist_id     uuid NOT NULL,
    created_by      uuid NOT NULL,
    expiration_date timestamp without time zone,
    is_active       boolean NOT NULL,
    can_comment     boolean NOT NULL,
    password        varchar(255),
    CONSTRAINT playlist_share_link_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS plugin (
    id                       uuid NOT NULL,
    created_at               timestamp without time zone,
    updated_at               timestamp without time zone,
    plugin_id                varchar(80) NOT NULL,
    name                     varchar(80) NOT NULL,
    description              text,
    version                  varchar(50) NOT NULL,
    maintainer_name          varchar(200) NOT NULL,
    maintainer_email         varchar(255),
    website                  text,
    license                  varchar(80) NOT NULL,
    revision                 varchar(12),
    frontend_project_enabled boolean,
    frontend_studio_enabled  boolean,
    icon                     varchar(255),
    CONSTRAINT plugin_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS preview_background_file (
    id            uuid NOT NULL,
    created_at    timestamp without time zone,
    updated_at    timestamp without time zone,
    name          varchar(40) NOT NULL,
    archived      boolean,
    is_default    boolean,
    original_name varchar(250),
    extension     varchar(6),
    file_size     bigint,
    CONSTRAINT preview_background_file_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS preview_file (
    id                  uuid NOT NULL,
    created_at          timestamp without time zone,
    updated_at          timestamp without time zone,
    name                varchar(250),
    original_name       varchar(250),
    revision            integer,
    position            integer,
    extension           varchar(6),
    description         text,
    path                varchar(400),
    source              varchar(40),
    file_size           bigint,
    status              varchar(255) NOT NULL,
    validation_status   varchar(255) NOT NULL,
    annotations         jsonb,
    width               integer,
    height              integer,
    duration            double precision,
    data                jsonb,
    token_in            integer,
    token_out           integer,
    task_id             uuid,
    person_id           uuid,
    source_file_id      uuid,
    shotgun_id          integer,
    is_movie            boolean,
    url                 varchar(600),
    uploaded_movie_url  varchar(600),
    uploaded_movie_name varchar(150),
    CONSTRAINT preview_file_pkey PRIMARY KEY (id),
    CONSTRAINT preview_uc UNIQUE (name, task_id, revision),
    CONSTRAINT preview_file_shotgun_id_key UNIQUE (shotgun_id)
);

CREATE TABLE IF NOT EXISTS production_schedule_version (
    id                       uuid NOT NULL,
    created_at               timestamp without time zone,
    updated_at               timestamp without time zone,
    name                     varchar(80) NOT NULL,
    project_id               uuid NOT NULL,
    production_schedule_from uuid,
    locked                   boolean,
    canceled                 boolean,
    CONSTRAINT production_schedule_version_pkey PRIMARY KEY (id),
    CONSTRAINT production_schedule_version_uc UNIQUE (name, project_id)
);

CREATE TABLE IF NOT EXISTS production_schedule_version_task_link (
    id                             uuid NOT NULL,
    created_at                     timestamp without time zone,
    updated_at                     timestamp without time zone,
    production_schedule_version_id uuid NOT NULL,
    task_id                        uuid NOT NULL,
    start_date                     timestamp without time zone,
    due_date                       timestamp without time zone,
    estimation                     double precision,
    CONSTRAINT production_schedule_version_task_link_pkey PRIMARY KEY (id),
    CONSTRAINT production_schedule_version_task_link_uc UNIQUE (production_schedule_version_id, task_id)
);

CREATE TABLE IF NOT EXISTS production_schedule_version_task_link_person_link (
    production_schedule_version_task_link_id uuid NOT NULL,
    person_id                                uuid NOT NULL,
    CONSTRAINT production_schedule_version_task_link_person_link_pkey PRIMARY KEY (production_schedule_version_task_link_id, person_id)
);

CREATE TABLE IF NOT EXISTS project (
    id                                 uuid NOT NULL,
    created_at                         timestamp without time zone,
    updated_at                         timestamp without time zone,
    name                               varchar(80) NOT NULL,
    code                               varchar(80),
    description                        text,
    shotgun_id                         integer,
    file_tree                          jsonb,
    data                               jsonb,
    has_avatar                         boolean,
    fps                                varchar(10),
    ratio                              varchar(10),
    resolution                         varchar(12),
    production_type                    varchar(20),
    production_style                   varchar(255) NOT NULL,
    start_date                         date,
    end_date                           date,
    man_days                           integer,
    nb_episodes                        integer,
    episode_span                       integer,
    max_retakes                        integer,
    is_clients_isolated                boolean,
    is_preview_download_allowed        boolean,
    is_set_preview_automated           boolean,
    homepage                           varchar(80),
    is_publish_default_for_artists     boolean,
    is_bot_collaboration_enabled       boolean DEFAULT false,
    is_single_preview_per_revision     boolean DEFAULT false,
    is_frame_in_numbering              boolean DEFAULT false,
    revision_padding                   integer NOT NULL DEFAULT 0,
    hd_bitrate_compression             integer,
    ld_bitrate_compression             integer,
    project_status_id                  uuid,
    default_preview_background_file_id uuid,
    from_schedule_version_id           uuid,
    CONSTRAINT project_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS project_asset_type_link (
    project_id    uuid NOT NULL,
    asset_type_id uuid NOT NULL,
    CONSTRAINT project_asset_type_link_pkey PRIMARY KEY (project_id, asset_type_id)
);

CREATE TABLE IF NOT EXISTS project_person_link (
    project_id uuid NOT NULL,
    person_id  uuid NOT NULL,
    role       varchar(255),
    shotgun_id integer,
    CONSTRAINT project_person_link_pkey PRIMARY KEY (project_id, person_id)
);

CREATE TABLE IF NOT EXISTS project_preview_background_file_link (
    project_id                 uuid NOT NULL,
    preview_background_file_id uuid NOT NULL,
    CONSTRAINT project_preview_background_file_link_pkey PRIMARY KEY (project_id, preview_background_file_id)
);

CREATE TABLE IF NOT EXISTS project_status (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name       varchar(20) NOT NULL,
    color      varchar(7) NOT NULL,
    CONSTRAINT project_status_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS project_status_automation_link (
    project_id           uuid NOT NULL,
    status_automation_id uuid NOT NULL,
    CONSTRAINT project_status_automation_link_pkey PRIMARY KEY (project_id, status_automation_id)
);

CREATE TABLE IF NOT EXISTS project_task_status_link (
    id              uuid NOT NULL,
    created_at      timestamp without time zone,
    updated_at      timestamp without time zone,
    project_id      uuid NOT NULL,
    task_status_id  uuid NOT NULL,
    priority        integer,
    roles_for_board varchar[],
    CONSTRAINT project_task_status_link_pkey PRIMARY KEY (project_id, task_status_id, id),
    CONSTRAINT project_taskstatus_uc UNIQUE (project_id, task_status_id)
);

CREATE TABLE IF NOT EXISTS project_task_type_link (
    id           uuid NOT NULL,
    created_at   timestamp without time zone,
    updated_at   timestamp without time zone,
    project_id   uuid NOT NULL,
    task_type_id uuid NOT NULL,
    priority     integer,
    CONSTRAINT project_task_type_link_pkey PRIMARY KEY (project_id, task_type_id, id),
    CONSTRAINT project_tasktype_uc UNIQUE (project_id, task_type_id)
);

CREATE TABLE IF NOT EXISTS project_template (
    id                                 uuid NOT NULL,
    created_at                         timestamp without time zone,
    updated_at                         timestamp without time zone,
    name                               varchar(80) NOT NULL,
    description                        text,
    fps                                varchar(10),
    ratio                              varchar(10),
    resolution                         varchar(12),
    production_type                    varchar(20),
    production_style                   varchar(255) NOT NULL,
    max_retakes                        integer,
    is_clients_isolated                boolean,
    is_preview_download_allowed        boolean,
    is_set_preview_automated           boolean,
    is_publish_default_for_artists     boolean,
    is_single_preview_per_revision     boolean DEFAULT false,
    is_frame_in_numbering              boolean DEFAULT false,
    revision_padding                   integer NOT NULL DEFAULT 0,
    homepage                           varchar(80),
    hd_bitrate_compression             integer,
    ld_bitrate_compression             integer,
    file_tree                          jsonb,
    data                               jsonb,
    metadata_descriptors               jsonb,
    default_preview_background_file_id uuid,
    CONSTRAINT project_template_pkey PRIMARY KEY (id),
    CONSTRAINT project_template_name_key UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS project_template_asset_type_link (
    project_template_id uuid NOT NULL,
    asset_type_id       uuid NOT NULL,
    CONSTRAINT project_template_asset_type_link_pkey PRIMARY KEY (project_template_id, asset_type_id)
);

CREATE TABLE IF NOT EXISTS project_template_preview_background_file_link (
    project_template_id        uuid NOT NULL,
    preview_background_file_id uuid NOT NULL,
    CONSTRAINT project_template_preview_background_file_link_pkey PRIMARY KEY (project_template_id, preview_background_file_id)
);

CREATE TABLE IF NOT EXISTS project_template_status_automation_link (
    project_template_id  uuid NOT NULL,
    status_automation_id uuid NOT NULL,
    CONSTRAINT project_template_status_automation_link_pkey PRIMARY KEY (project_template_id, status_automation_id)
);

-- Same folding as project_template_task_type_link.
CREATE TABLE IF NOT EXISTS project_template_task_status_link (
    id                  uuid NOT NULL,
    created_at          timestamp without time zone,
    updated_at          timestamp without time zone,
    project_template_id uuid NOT NULL,
    task_status_id      uuid NOT NULL,
    priority            integer,
    roles_for_board     varchar[],
    CONSTRAINT project_template_taskstatus_uc PRIMARY KEY (project_template_id, task_status_id)
);

-- Zou declares a PRIMARY KEY and a UNIQUE project_template_tasktype_uc on the
-- same columns; PostgreSQL folded them into one primary key with that name.
CREATE TABLE IF NOT EXISTS project_template_task_type_link (
    id                  uuid NOT NULL,
    created_at          timestamp without time zone,
    updated_at          timestamp without time zone,
    project_template_id uuid NOT NULL,
    task_type_id        uuid NOT NULL,
    priority            integer,
    CONSTRAINT project_template_tasktype_uc PRIMARY KEY (project_template_id, task_type_id)
);

CREATE TABLE IF NOT EXISTS salary_scale (
    id            uuid NOT NULL,
    created_at    timestamp without time zone,
    updated_at    timestamp without time zone,
    department_id uuid NOT NULL,
    position      varchar(255),
    seniority     varchar(255),
    salary        integer NOT NULL,
    CONSTRAINT salary_scale_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS schedule_item (
    id           uuid NOT NULL,
    created_at   timestamp without time zone,
    updated_at   timestamp without time zone,
    start_date   date,
    end_date     date,
    man_days     integer,
    project_id   uuid,
    task_type_id uuid,
    object_id    uuid,
    CONSTRAINT schedule_item_pkey PRIMARY KEY (id),
    CONSTRAINT schedule_item_uc UNIQUE (project_id, task_type_id, object_id)
);

CREATE TABLE IF NOT EXISTS search_filter (
    id                     uuid NOT NULL,
    created_at             timestamp without time zone,
    updated_at             timestamp without time zone,
    list_type              varchar(80) NOT NULL,
    entity_type            varchar(80),
    name                   varchar(200) NOT NULL,
    search_query           varchar(500) NOT NULL,
    is_shared              boolean NOT NULL DEFAULT false,
    department_id          uuid,
    search_filter_group_id uuid,
    person_id              uuid,
    project_id             uuid,
    CONSTRAINT search_filter_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS search_filter_group (
    id            uuid NOT NULL,
    created_at    timestamp without time zone,
    updated_at    timestamp without time zone,
    list_type     varchar(80) NOT NULL,
    entity_type   varchar(80),
    name          varchar(200) NOT NULL,
    color         varchar(8) NOT NULL,
    is_shared     boolean NOT NULL DEFAULT false,
    person_id     uuid,
    project_id    uuid,
    department_id uuid,
    CONSTRAINT search_filter_group_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS software (
    id                   uuid NOT NULL,
    created_at           timestamp without time zone,
    updated_at           timestamp without time zone,
    name                 varchar(40) NOT NULL,
    short_name           varchar(20) NOT NULL,
    archived             boolean,
    version              varchar(20),
    file_extension       varchar(20) NOT NULL,
    secondary_extensions jsonb,
    monthly_cost         integer,
    inventory_amount     integer,
    CONSTRAINT software_pkey PRIMARY KEY (id),
    CONSTRAINT software_name_key UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS software_department_link (
    id            uuid NOT NULL,
    created_at    timestamp without time zone,
    updated_at    timestamp without time zone,
    department_id uuid NOT NULL,
    software_id   uuid NOT NULL,
    CONSTRAINT software_department_link_pkey PRIMARY KEY (department_id, software_id, id),
    CONSTRAINT software_department_link_uc UNIQUE (department_id, software_id)
);

CREATE TABLE IF NOT EXISTS status_automation (
    id                   uuid NOT NULL,
    created_at           timestamp without time zone,
    updated_at           timestamp without time zone,
    entity_type          varchar(40),
    in_task_type_id      uuid,
    in_task_status_id    uuid,
    out_field_type       varchar(255) NOT NULL,
    out_task_type_id     uuid,
    out_task_status_id   uuid,
    import_last_revision boolean DEFAULT false,
    archived             boolean,
    CONSTRAINT status_automation_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS studio (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    name       varchar(80) NOT NULL,
    color      varchar(7) NOT NULL,
    archived   boolean,
    CONSTRAINT studio_pkey PRIMARY KEY (id),
    CONSTRAINT studio_name_key UNIQUE (name)
);

CREATE TABLE IF NOT EXISTS subscription (
    id           uuid NOT NULL,
    created_at   timestamp without time zone,
    updated_at   timestamp without time zone,
    person_id    uuid NOT NULL,
    task_id      uuid,
    entity_id    uuid,
    task_type_id uuid,
    CONSTRAINT subscription_pkey PRIMARY KEY (id),
    CONSTRAINT subscription_task_uc UNIQUE (person_id, task_id),
    CONSTRAINT subscription_entity_uc UNIQUE (person_id, task_type_id, entity_id)
);

CREATE TABLE IF NOT EXISTS task (
    id                   uuid NOT NULL,
    created_at           timestamp without time zone,
    updated_at           timestamp without time zone,
    name                 varchar(80) NOT NULL,
    description          text,
    priority             integer,
    difficulty           integer NOT NULL DEFAULT 3,
    duration             double precision,
    estimation           double precision,
    completion_rate      integer,
    retake_count         integer,
    sort_order           integer,
    start_date           timestamp without time zone,
    due_date             timestamp without time zone,
    real_start_date      timestamp without time zone,
    end_date             timestamp without time zone,
    done_date            timestamp without time zone,
    last_comment_date    timestamp without time zone,
    nb_assets_ready      integer,
    data                 jsonb,
    nb_drawings          integer,
    shotgun_id           integer,
    last_preview_file_id uuid,
    project_id           uuid,
    task_type_id         uuid,
    task_status_id       uuid,
    entity_id            uuid,
    assigner_id          uuid,
    CONSTRAINT task_pkey PRIMARY KEY (id),
    CONSTRAINT task_uc UNIQUE (name, project_id, task_type_id, entity_id),
    CONSTRAINT check_difficulty CHECK (difficulty > 0 AND difficulty < 6)
);

-- The primary key keeps the name it had when the table was called assignations.
CREATE TABLE IF NOT EXISTS task_person_link (
    task_id   uuid NOT NULL,
    person_id uuid NOT NULL,
    CONSTRAINT assignations_pkey PRIMARY KEY (task_id, person_id)
);

CREATE TABLE IF NOT EXISTS task_status (
    id                  uuid NOT NULL,
    created_at          timestamp without time zone,
    updated_at          timestamp without time zone,
    name                varchar(40) NOT NULL,
    archived            boolean,
    short_name          varchar(10) NOT NULL,
    description         text,
    color               varchar(7) NOT NULL,
    priority            integer,
    is_done             boolean,
    is_artist_allowed   boolean,
    is_client_allowed   boolean,
    is_retake           boolean,
    is_feedback_request boolean,
    is_default          boolean,
    is_wip              boolean,
    shotgun_id          integer,
    for_concept         boolean DEFAULT false,
    CONSTRAINT task_status_pkey PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS task_type (
    id            uuid NOT NULL,
    created_at    timestamp without time zone,
    updated_at    timestamp without time zone,
    name          varchar(40) NOT NULL,
    short_name    varchar(20),
    description   text,
    color         varchar(7),
    priority      integer,
    for_entity    varchar(30),
    allow_timelog boolean,
    archived      boolean,
    shotgun_id    integer,
    department_id uuid,
    CONSTRAINT task_type_pkey PRIMARY KEY (id),
    CONSTRAINT task_type_uc UNIQUE (name, for_entity, department_id)
);

CREATE TABLE IF NOT EXISTS task_type_asset_type_link (
    asset_type_id uuid NOT NULL,
    task_type_id  uuid NOT NULL,
    CONSTRAINT task_type_asset_type_link_pkey PRIMARY KEY (asset_type_id, task_type_id)
);

CREATE TABLE IF NOT EXISTS time_spent (
    id         uuid NOT NULL,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    duration   double precision NOT NULL,
    date       date NOT NULL,
    task_id    uuid,
    person_id  uuid,
    CONSTRAINT time_spent_pkey PRIMARY KEY (id),
    CONSTRAINT time_spent_uc UNIQUE (person_id, task_id, date),
    CONSTRAINT check_duration_positive CHECK (duration > 0)
);

CREATE TABLE IF NOT EXISTS working_file (
    id          uuid NOT NULL,
    created_at  timestamp without time zone,
    updated_at  timestamp without time zone,
    shotgun_id  integer,
    name        varchar(250),
    description text,
    comment     text,
    revision    integer,
    size        integer,
    checksum    integer,
    path        varchar(400),
    data        jsonb,
    task_id     uuid,
    entity_id   uuid,
    person_id   uuid,
    software_id uuid,
    CONSTRAINT working_file_pkey PRIMARY KEY (id),
    CONSTRAINT working_file_uc UNIQUE (name, task_id, entity_id, revision)
);

--bun:split

-- These link tables have a PRIMARY KEY and a UNIQUE constraint on the same
-- columns. Inside CREATE TABLE PostgreSQL keeps only one of the two, so, as in
-- Zou, the UNIQUE one is added on its own.
DO $$
DECLARE
    uc record;
BEGIN
    FOR uc IN SELECT * FROM (VALUES
        ('department_link', 'department_link_uc', 'person_id, department_id'),
        ('department_metadata_descriptor_link', 'department_metadata_descriptor_link_uc', 'metadata_descriptor_id, department_id'),
        ('task_type_asset_type_link', 'task_type_asset_type_link_uc', 'asset_type_id, task_type_id')
    ) AS v (table_name, constraint_name, columns)
    LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_constraint
            WHERE conrelid = uc.table_name::regclass AND conname = uc.constraint_name
        ) THEN
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (%s)',
                uc.table_name, uc.constraint_name, uc.columns);
        END IF;
    END LOOP;
END
$$;

--bun:split

-- Indexes. Single-column ones are SQLAlchemy's ix_<table>_<column>; names
-- longer than PostgreSQL's 63 bytes are cut the way SQLAlchemy cuts them
-- (first 55 characters, "_", last 4 hex digits of the name's md5), which is
-- what Zou's migrations stored.

CREATE INDEX IF NOT EXISTS ix_api_event_created_at ON api_event (created_at);
CREATE INDEX IF NOT EXISTS ix_api_event_name ON api_event (name);
CREATE INDEX IF NOT EXISTS ix_api_event_project_id ON api_event (project_id);
CREATE INDEX IF NOT EXISTS ix_api_event_project_id_created_at ON api_event (project_id, created_at);
CREATE INDEX IF NOT EXISTS ix_api_event_user_id ON api_event (user_id);
CREATE INDEX IF NOT EXISTS ix_asset_instance_asset_id ON asset_instance (asset_id);
CREATE INDEX IF NOT EXISTS ix_asset_instance_scene_id ON asset_instance (scene_id);
CREATE INDEX IF NOT EXISTS ix_asset_instance_target_asset_id ON asset_instance (target_asset_id);
CREATE INDEX IF NOT EXISTS ix_attachment_file_chat_message_id ON attachment_file (chat_message_id);
CREATE INDEX IF NOT EXISTS ix_attachment_file_comment_id ON attachment_file (comment_id);
CREATE INDEX IF NOT EXISTS ix_budget_project_id ON budget (project_id);
CREATE INDEX IF NOT EXISTS ix_budget_entry_budget_id ON budget_entry (budget_id);
CREATE INDEX IF NOT EXISTS ix_budget_entry_department_id ON budget_entry (department_id);
CREATE INDEX IF NOT EXISTS ix_budget_entry_person_id ON budget_entry (person_id);
CREATE INDEX IF NOT EXISTS ix_build_job_playlist_id ON build_job (playlist_id);
CREATE INDEX IF NOT EXISTS ix_chat_object_id ON chat (object_id);
CREATE INDEX IF NOT EXISTS ix_chat_object_type ON chat (object_type);
CREATE INDEX IF NOT EXISTS ix_chat_message_chat_id ON chat_message (chat_id);
CREATE INDEX IF NOT EXISTS ix_chat_message_person_id ON chat_message (person_id);
CREATE INDEX IF NOT EXISTS ix_comment_editor_id ON comment (editor_id);
CREATE INDEX IF NOT EXISTS ix_comment_object_id ON comment (object_id);
CREATE INDEX IF NOT EXISTS ix_comment_object_type ON comment (object_type);
CREATE INDEX IF NOT EXISTS ix_comment_person_id ON comment (person_id);
CREATE INDEX IF NOT EXISTS ix_comment_task_status_id ON comment (task_status_id);
CREATE INDEX IF NOT EXISTS ix_comment_preview_link_comment ON comment_preview_link (comment);
CREATE INDEX IF NOT EXISTS ix_comment_preview_link_preview_file ON comment_preview_link (preview_file);
CREATE INDEX IF NOT EXISTS ix_day_off_person_id ON day_off (person_id);
CREATE INDEX IF NOT EXISTS ix_department_link_department_id ON department_link (department_id);
CREATE INDEX IF NOT EXISTS ix_department_link_person_id ON department_link (person_id);
CREATE INDEX IF NOT EXISTS ix_department_metadata_descriptor_link_department_id ON department_metadata_descriptor_link (department_id);
CREATE INDEX IF NOT EXISTS ix_department_metadata_descriptor_link_metadata_descriptor_id ON department_metadata_descriptor_link (metadata_descriptor_id);
CREATE INDEX IF NOT EXISTS ix_desktop_login_log_person_id ON desktop_login_log (person_id);
CREATE INDEX IF NOT EXISTS ix_entity_entity_type_id ON entity (entity_type_id);
CREATE INDEX IF NOT EXISTS ix_entity_entity_type_parent ON entity (entity_type_id, parent_id);
CREATE INDEX IF NOT EXISTS ix_entity_entity_type_project ON entity (entity_type_id, project_id);
CREATE INDEX IF NOT EXISTS ix_entity_parent_id ON entity (parent_id);
CREATE INDEX IF NOT EXISTS ix_entity_project_id ON entity (project_id);
CREATE INDEX IF NOT EXISTS ix_entity_project_type_status ON entity (project_id, entity_type_id, status);
CREATE INDEX IF NOT EXISTS ix_entity_source_id ON entity (source_id);
CREATE INDEX IF NOT EXISTS ix_entity_status ON entity (status);
CREATE INDEX IF NOT EXISTS ix_entity_link_entity_in_id ON entity_link (entity_in_id);
CREATE INDEX IF NOT EXISTS ix_entity_link_entity_out_id ON entity_link (entity_out_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_entity_type_name ON entity_type (name);
CREATE INDEX IF NOT EXISTS ix_entity_version_entity_id ON entity_version (entity_id);
CREATE INDEX IF NOT EXISTS ix_entity_version_person_id ON entity_version (person_id);
CREATE INDEX IF NOT EXISTS ix_hardware_item_department_link_department_id ON hardware_item_department_link (department_id);
CREATE INDEX IF NOT EXISTS ix_hardware_item_department_link_hardware_item_id ON hardware_item_department_link (hardware_item_id);
CREATE INDEX IF NOT EXISTS ix_login_log_person_id ON login_log (person_id);
CREATE INDEX IF NOT EXISTS ix_metadata_descriptor_entity_type ON metadata_descriptor (entity_type);
CREATE INDEX IF NOT EXISTS ix_metadata_descriptor_for_client ON metadata_descriptor (for_client);
CREATE INDEX IF NOT EXISTS ix_metadata_descriptor_project_id ON metadata_descriptor (project_id);
CREATE INDEX IF NOT EXISTS ix_metadata_descriptor_task_type_id ON metadata_descriptor (task_type_id);
CREATE UNIQUE INDEX IF NOT EXISTS metadata_descriptor_task_type_uc ON metadata_descriptor (project_id, entity_type, task_type_id, name) WHERE task_type_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS metadata_descriptor_task_type_uc2 ON metadata_descriptor (project_id, entity_type, task_type_id, field_name) WHERE task_type_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS metadata_descriptor_uc ON metadata_descriptor (project_id, entity_type, name) WHERE task_type_id IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS metadata_descriptor_uc2 ON metadata_descriptor (project_id, entity_type, field_name) WHERE task_type_id IS NULL;
CREATE INDEX IF NOT EXISTS ix_milestone_project_id ON milestone (project_id);
CREATE INDEX IF NOT EXISTS ix_milestone_task_type_id ON milestone (task_type_id);
CREATE INDEX IF NOT EXISTS ix_news_author_id ON news (author_id);
CREATE INDEX IF NOT EXISTS ix_news_comment_id ON news (comment_id);
CREATE INDEX IF NOT EXISTS ix_news_preview_file_id ON news (preview_file_id);
CREATE INDEX IF NOT EXISTS ix_news_task_id ON news (task_id);
CREATE INDEX IF NOT EXISTS ix_notification_author_id ON notification (author_id);
CREATE INDEX IF NOT EXISTS ix_notification_comment_id ON notification (comment_id);
CREATE INDEX IF NOT EXISTS ix_notification_person_id ON notification (person_id);
CREATE INDEX IF NOT EXISTS ix_notification_playlist_id ON notification (playlist_id);
CREATE INDEX IF NOT EXISTS ix_notification_reply_id ON notification (reply_id);
CREATE INDEX IF NOT EXISTS ix_notification_task_id ON notification (task_id);
CREATE INDEX IF NOT EXISTS ix_output_file_asset_instance_id ON output_file (asset_instance_id);
CREATE INDEX IF NOT EXISTS ix_output_file_entity_id ON output_file (entity_id);
CREATE INDEX IF NOT EXISTS ix_output_file_file_status_id ON output_file (file_status_id);
CREATE INDEX IF NOT EXISTS ix_output_file_output_type_id ON output_file (output_type_id);
CREATE INDEX IF NOT EXISTS ix_output_file_person_id ON output_file (person_id);
CREATE INDEX IF NOT EXISTS ix_output_file_representation ON output_file (representation);
CREATE INDEX IF NOT EXISTS ix_output_file_source_file_id ON output_file (source_file_id);
CREATE INDEX IF NOT EXISTS ix_output_file_task_type_id ON output_file (task_type_id);
CREATE INDEX IF NOT EXISTS ix_output_file_temporal_entity_id ON output_file (temporal_entity_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_output_type_name ON output_type (name);
CREATE INDEX IF NOT EXISTS ix_person_studio_id ON person (studio_id);
CREATE UNIQUE INDEX IF NOT EXISTS only_one_email_by_person ON person (email, is_bot) WHERE is_bot IS NOT true;
CREATE INDEX IF NOT EXISTS ix_playlist_episode_id ON playlist (episode_id);
CREATE INDEX IF NOT EXISTS ix_playlist_for_client ON playlist (for_client);
CREATE INDEX IF NOT EXISTS ix_playlist_for_entity ON playlist (for_entity);
CREATE INDEX IF NOT EXISTS ix_playlist_project_id ON playlist (project_id);
CREATE INDEX IF NOT EXISTS ix_playlist_task_type_id ON playlist (task_type_id);
CREATE INDEX IF NOT EXISTS ix_playlist_share_link_playlist_active ON playlist_share_link (playlist_id, is_active);
CREATE INDEX IF NOT EXISTS ix_playlist_share_link_playlist_id ON playlist_share_link (playlist_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_playlist_share_link_token ON playlist_share_link (token);
CREATE INDEX IF NOT EXISTS ix_plugin_name ON plugin (name);
CREATE UNIQUE INDEX IF NOT EXISTS ix_plugin_plugin_id ON plugin (plugin_id);
CREATE INDEX IF NOT EXISTS ix_preview_background_file_is_default ON preview_background_file (is_default);
CREATE INDEX IF NOT EXISTS ix_preview_file_source_file_id ON preview_file (source_file_id);
CREATE INDEX IF NOT EXISTS ix_preview_file_task_id ON preview_file (task_id);
CREATE INDEX IF NOT EXISTS ix_production_schedule_version_production_schedule_from ON production_schedule_version (production_schedule_from);
CREATE INDEX IF NOT EXISTS ix_production_schedule_version_project_id ON production_schedule_version (project_id);
CREATE INDEX IF NOT EXISTS ix_production_schedule_version_task_link_production_sch_9cee ON production_schedule_version_task_link (production_schedule_version_id);
CREATE INDEX IF NOT EXISTS ix_production_schedule_version_task_link_task_id ON production_schedule_version_task_link (task_id);
CREATE INDEX IF NOT EXISTS ix_project_default_preview_background_file_id ON project (default_preview_background_file_id);
CREATE INDEX IF NOT EXISTS ix_project_from_schedule_version_id ON project (from_schedule_version_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_project_name ON project (name);
CREATE INDEX IF NOT EXISTS ix_project_project_status_id ON project (project_status_id);
CREATE INDEX IF NOT EXISTS ix_project_asset_type_link_asset_type_id ON project_asset_type_link (asset_type_id);
CREATE INDEX IF NOT EXISTS ix_project_asset_type_link_project_id ON project_asset_type_link (project_id);
CREATE INDEX IF NOT EXISTS ix_project_person_link_person_id ON project_person_link (person_id);
CREATE INDEX IF NOT EXISTS ix_project_person_link_project_id ON project_person_link (project_id);
CREATE INDEX IF NOT EXISTS ix_project_preview_background_file_link_preview_backgro_080b ON project_preview_background_file_link (preview_background_file_id);
CREATE INDEX IF NOT EXISTS ix_project_preview_background_file_link_project_id ON project_preview_background_file_link (project_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_project_status_name ON project_status (name);
CREATE INDEX IF NOT EXISTS ix_project_status_automation_link_project_id ON project_status_automation_link (project_id);
CREATE INDEX IF NOT EXISTS ix_project_status_automation_link_status_automation_id ON project_status_automation_link (status_automation_id);
CREATE INDEX IF NOT EXISTS ix_project_task_status_link_project_id ON project_task_status_link (project_id);
CREATE INDEX IF NOT EXISTS ix_project_task_status_link_task_status_id ON project_task_status_link (task_status_id);
CREATE INDEX IF NOT EXISTS ix_project_task_type_link_project_id ON project_task_type_link (project_id);
CREATE INDEX IF NOT EXISTS ix_project_task_type_link_task_type_id ON project_task_type_link (task_type_id);
CREATE INDEX IF NOT EXISTS ix_project_template_default_preview_background_file_id ON project_template (default_preview_background_file_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_project_template_name ON project_template (name);
CREATE INDEX IF NOT EXISTS ix_project_template_asset_type_link_asset_type_id ON project_template_asset_type_link (asset_type_id);
CREATE INDEX IF NOT EXISTS ix_project_template_asset_type_link_project_template_id ON project_template_asset_type_link (project_template_id);
CREATE INDEX IF NOT EXISTS ix_project_template_preview_background_file_link_previe_393c ON project_template_preview_background_file_link (preview_background_file_id);
CREATE INDEX IF NOT EXISTS ix_project_template_preview_background_file_link_projec_ab7b ON project_template_preview_background_file_link (project_template_id);
CREATE INDEX IF NOT EXISTS ix_project_template_status_automation_link_project_template_id ON project_template_status_automation_link (project_template_id);
CREATE INDEX IF NOT EXISTS ix_project_template_status_automation_link_status_automation_id ON project_template_status_automation_link (status_automation_id);
CREATE INDEX IF NOT EXISTS ix_project_template_task_status_link_project_template_id ON project_template_task_status_link (project_template_id);
CREATE INDEX IF NOT EXISTS ix_project_template_task_status_link_task_status_id ON project_template_task_status_link (task_status_id);
CREATE INDEX IF NOT EXISTS ix_project_template_task_type_link_project_template_id ON project_template_task_type_link (project_template_id);
CREATE INDEX IF NOT EXISTS ix_project_template_task_type_link_task_type_id ON project_template_task_type_link (task_type_id);
CREATE INDEX IF NOT EXISTS ix_salary_scale_department_id ON salary_scale (department_id);
CREATE INDEX IF NOT EXISTS ix_schedule_item_object_id ON schedule_item (object_id);
CREATE INDEX IF NOT EXISTS ix_schedule_item_project_id ON schedule_item (project_id);
CREATE INDEX IF NOT EXISTS ix_schedule_item_task_type_id ON schedule_item (task_type_id);
CREATE INDEX IF NOT EXISTS ix_search_filter_list_type ON search_filter (list_type);
CREATE INDEX IF NOT EXISTS ix_search_filter_person_id ON search_filter (person_id);
CREATE INDEX IF NOT EXISTS ix_search_filter_project_id ON search_filter (project_id);
CREATE INDEX IF NOT EXISTS ix_search_filter_group_list_type ON search_filter_group (list_type);
CREATE INDEX IF NOT EXISTS ix_search_filter_group_person_id ON search_filter_group (person_id);
CREATE INDEX IF NOT EXISTS ix_search_filter_group_project_id ON search_filter_group (project_id);
CREATE INDEX IF NOT EXISTS ix_software_department_link_department_id ON software_department_link (department_id);
CREATE INDEX IF NOT EXISTS ix_software_department_link_software_id ON software_department_link (software_id);
CREATE INDEX IF NOT EXISTS ix_status_automation_in_task_status_id ON status_automation (in_task_status_id);
CREATE INDEX IF NOT EXISTS ix_status_automation_in_task_type_id ON status_automation (in_task_type_id);
CREATE INDEX IF NOT EXISTS ix_status_automation_out_task_status_id ON status_automation (out_task_status_id);
CREATE INDEX IF NOT EXISTS ix_status_automation_out_task_type_id ON status_automation (out_task_type_id);
CREATE INDEX IF NOT EXISTS ix_subscription_entity_id ON subscription (entity_id);
CREATE INDEX IF NOT EXISTS ix_subscription_person_id ON subscription (person_id);
CREATE INDEX IF NOT EXISTS ix_subscription_task_id ON subscription (task_id);
CREATE INDEX IF NOT EXISTS ix_subscription_task_type_id ON subscription (task_type_id);
CREATE INDEX IF NOT EXISTS ix_task_assigner_id ON task (assigner_id);
CREATE INDEX IF NOT EXISTS ix_task_entity_id ON task (entity_id);
CREATE INDEX IF NOT EXISTS ix_task_entity_project ON task (entity_id, project_id);
CREATE INDEX IF NOT EXISTS ix_task_project_id ON task (project_id);
CREATE INDEX IF NOT EXISTS ix_task_task_status_id ON task (task_status_id);
CREATE INDEX IF NOT EXISTS ix_task_task_type_id ON task (task_type_id);
CREATE INDEX IF NOT EXISTS ix_task_person_link_person_id ON task_person_link (person_id);
CREATE INDEX IF NOT EXISTS ix_task_status_is_default ON task_status (is_default);
CREATE INDEX IF NOT EXISTS ix_task_status_is_done ON task_status (is_done);
CREATE INDEX IF NOT EXISTS ix_task_status_is_feedback_request ON task_status (is_feedback_request);
CREATE INDEX IF NOT EXISTS ix_task_status_is_wip ON task_status (is_wip);
CREATE UNIQUE INDEX IF NOT EXISTS ix_task_status_short_name ON task_status (short_name);
CREATE INDEX IF NOT EXISTS ix_task_type_department_id ON task_type (department_id);
CREATE INDEX IF NOT EXISTS ix_task_type_shotgun_id ON task_type (shotgun_id);
CREATE INDEX IF NOT EXISTS ix_task_type_asset_type_link_asset_type_id ON task_type_asset_type_link (asset_type_id);
CREATE INDEX IF NOT EXISTS ix_task_type_asset_type_link_task_type_id ON task_type_asset_type_link (task_type_id);
CREATE INDEX IF NOT EXISTS ix_time_spent_person_id ON time_spent (person_id);
CREATE INDEX IF NOT EXISTS ix_time_spent_task_id ON time_spent (task_id);
CREATE INDEX IF NOT EXISTS ix_working_file_entity_id ON working_file (entity_id);
CREATE INDEX IF NOT EXISTS ix_working_file_person_id ON working_file (person_id);
CREATE INDEX IF NOT EXISTS ix_working_file_shotgun_id ON working_file (shotgun_id);
CREATE INDEX IF NOT EXISTS ix_working_file_software_id ON working_file (software_id);
CREATE INDEX IF NOT EXISTS ix_working_file_task_id ON working_file (task_id);

--bun:split

-- Foreign keys. A constraint is added only when the table has neither one of
-- that name nor any foreign key from the same column to the same table: a
-- database that went through Zou's older migrations may carry other names.
-- on_delete is set only where Zou's models ask for ON DELETE CASCADE.
-- Names are PostgreSQL's defaults except fk_main_preview and fk_ready_for
-- (Zou's historical names), fk_metadata_descriptor_task_type_id (named by a
-- Zou migration) and production_schedule_version__..._fkey1 (PostgreSQL's
-- cut-down default collided with another one and got numbered).
DO $$
DECLARE
    fk record;
BEGIN
    FOR fk IN SELECT * FROM (VALUES
        ('api_event', 'project_id', 'project', 'api_event_project_id_fkey', NULL),
        ('api_event', 'user_id', 'person', 'api_event_user_id_fkey', NULL),
        ('asset_instance', 'asset_id', 'entity', 'asset_instance_asset_id_fkey', NULL),
        ('asset_instance', 'entity_id', 'entity', 'asset_instance_entity_id_fkey', NULL),
        ('asset_instance', 'entity_type_id', 'entity_type', 'asset_instance_entity_type_id_fkey', NULL),
        ('asset_instance', 'scene_id', 'entity', 'asset_instance_scene_id_fkey', NULL),
        ('asset_instance', 'target_asset_id', 'entity', 'asset_instance_target_asset_id_fkey', NULL),
        ('asset_instance_link', 'asset_instance_id', 'asset_instance', 'asset_instance_link_asset_instance_id_fkey', NULL),
        ('asset_instance_link', 'entity_id', 'entity', 'asset_instance_link_entity_id_fkey', NULL),
        ('attachment_file', 'chat_message_id', 'chat_message', 'attachment_file_chat_message_id_fkey', NULL),
        ('attachment_file', 'comment_id', 'comment', 'attachment_file_comment_id_fkey', NULL),
        ('budget', 'project_id', 'project', 'budget_project_id_fkey', NULL),
        ('budget_entry', 'budget_id', 'budget', 'budget_entry_budget_id_fkey', NULL),
        ('budget_entry', 'department_id', 'department', 'budget_entry_department_id_fkey', NULL),
        ('budget_entry', 'person_id', 'person', 'budget_entry_person_id_fkey', NULL),
        ('build_job', 'playlist_id', 'playlist', 'build_job_playlist_id_fkey', NULL),
        ('chat_message', 'chat_id', 'chat', 'chat_message_chat_id_fkey', NULL),
        ('chat_message', 'person_id', 'person', 'chat_message_person_id_fkey', NULL),
        ('chat_participant', 'chat_id', 'chat', 'chat_participant_chat_id_fkey', NULL),
        ('chat_participant', 'person_id', 'person', 'chat_participant_person_id_fkey', NULL),
        ('comment', 'editor_id', 'person', 'comment_editor_id_fkey', NULL),
        ('comment', 'person_id', 'person', 'comment_person_id_fkey', NULL),
        ('comment', 'preview_file_id', 'preview_file', 'comment_preview_file_id_fkey', NULL),
        ('comment', 'task_status_id', 'task_status', 'comment_task_status_id_fkey', NULL),
        ('comment_acknoledgments', 'comment', 'comment', 'comment_acknoledgments_comment_fkey', NULL),
        ('comment_acknoledgments', 'person', 'person', 'comment_acknoledgments_person_fkey', NULL),
        ('comment_department_mentions', 'comment', 'comment', 'comment_department_mentions_comment_fkey', NULL),
        ('comment_department_mentions', 'department', 'department', 'comment_department_mentions_department_fkey', NULL),
        ('comment_mentions', 'comment', 'comment', 'comment_mentions_comment_fkey', NULL),
        ('comment_mentions', 'person', 'person', 'comment_mentions_person_fkey', NULL),
        ('comment_preview_link', 'comment', 'comment', 'comment_preview_link_comment_fkey', NULL),
        ('comment_preview_link', 'preview_file', 'preview_file', 'comment_preview_link_preview_file_fkey', NULL),
        ('day_off', 'person_id', 'person', 'day_off_person_id_fkey', NULL),
        ('department_link', 'department_id', 'department', 'department_link_department_id_fkey', NULL),
        ('department_link', 'person_id', 'person', 'department_link_person_id_fkey', NULL),
        ('department_metadata_descriptor_link', 'department_id', 'department', 'department_metadata_descriptor_link_department_id_fkey', NULL),
        ('department_metadata_descriptor_link', 'metadata_descriptor_id', 'metadata_descriptor', 'department_metadata_descriptor_link_metadata_descriptor_id_fkey', NULL),
        ('desktop_login_log', 'person_id', 'person', 'desktop_login_log_person_id_fkey', NULL),
        ('entity', 'created_by', 'person', 'entity_created_by_fkey', NULL),
        ('entity', 'entity_type_id', 'entity_type', 'entity_entity_type_id_fkey', NULL),
        ('entity', 'parent_id', 'entity', 'entity_parent_id_fkey', NULL),
        ('entity', 'preview_file_id', 'preview_file', 'fk_main_preview', NULL),
        ('entity', 'project_id', 'project', 'entity_project_id_fkey', NULL),
        ('entity', 'ready_for', 'task_type', 'fk_ready_for', NULL),
        ('entity', 'source_id', 'entity', 'entity_source_id_fkey', NULL),
        ('entity_concept_link', 'entity_in_id', 'entity', 'entity_concept_link_entity_in_id_fkey', NULL),
        ('entity_concept_link', 'entity_out_id', 'entity', 'entity_concept_link_entity_out_id_fkey', NULL),
        ('entity_link', 'entity_in_id', 'entity', 'entity_link_entity_in_id_fkey', NULL),
        ('entity_link', 'entity_out_id', 'entity', 'entity_link_entity_out_id_fkey', NULL),
        ('entity_version', 'entity_id', 'entity', 'entity_version_entity_id_fkey', NULL),
        ('entity_version', 'person_id', 'person', 'entity_version_person_id_fkey', NULL),
        ('hardware_item_department_link', 'department_id', 'department', 'hardware_item_department_link_department_id_fkey', NULL),
        ('hardware_item_department_link', 'hardware_item_id', 'hardware_item', 'hardware_item_department_link_hardware_item_id_fkey', NULL),
        ('login_log', 'person_id', 'person', 'login_log_person_id_fkey', NULL),
        ('metadata_descriptor', 'project_id', 'project', 'metadata_descriptor_project_id_fkey', NULL),
        ('metadata_descriptor', 'task_type_id', 'task_type', 'fk_metadata_descriptor_task_type_id', NULL),
        ('milestone', 'project_id', 'project', 'milestone_project_id_fkey', NULL),
        ('milestone', 'task_type_id', 'task_type', 'milestone_task_type_id_fkey', NULL),
        ('news', 'author_id', 'person', 'news_author_id_fkey', NULL),
        ('news', 'comment_id', 'comment', 'news_comment_id_fkey', NULL),
        ('news', 'preview_file_id', 'preview_file', 'news_preview_file_id_fkey', NULL),
        ('news', 'task_id', 'task', 'news_task_id_fkey', NULL),
        ('notification', 'author_id', 'person', 'notification_author_id_fkey', NULL),
        ('notification', 'comment_id', 'comment', 'notification_comment_id_fkey', NULL),
        ('notification', 'person_id', 'person', 'notification_person_id_fkey', NULL),
        ('notification', 'playlist_id', 'playlist', 'notification_playlist_id_fkey', NULL),
        ('notification', 'task_id', 'task', 'notification_task_id_fkey', NULL),
        ('output_file', 'asset_instance_id', 'asset_instance', 'output_file_asset_instance_id_fkey', NULL),
        ('output_file', 'entity_id', 'entity', 'output_file_entity_id_fkey', NULL),
        ('output_file', 'file_status_id', 'file_status', 'output_file_file_status_id_fkey', NULL),
        ('output_file', 'output_type_id', 'output_type', 'output_file_output_type_id_fkey', NULL),
        ('output_file', 'person_id', 'person', 'output_file_person_id_fkey', NULL),
        ('output_file', 'source_file_id', 'working_file', 'output_file_source_file_id_fkey', NULL),
        ('output_file', 'task_type_id', 'task_type', 'output_file_task_type_id_fkey', NULL),
        ('output_file', 'temporal_entity_id', 'entity', 'output_file_temporal_entity_id_fkey', NULL),
        ('person', 'studio_id', 'studio', 'person_studio_id_fkey', NULL),
        ('playlist', 'created_by', 'person', 'playlist_created_by_fkey', NULL),
        ('playlist', 'episode_id', 'entity', 'playlist_episode_id_fkey', NULL),
        ('playlist', 'project_id', 'project', 'playlist_project_id_fkey', NULL),
        ('playlist', 'task_type_id', 'task_type', 'playlist_task_type_id_fkey', NULL),
        ('playlist_share_link', 'created_by', 'person', 'playlist_share_link_created_by_fkey', NULL),
        ('playlist_share_link', 'playlist_id', 'playlist', 'playlist_share_link_playlist_id_fkey', NULL),
        ('preview_file', 'person_id', 'person', 'preview_file_person_id_fkey', NULL),
        ('preview_file', 'source_file_id', 'output_file', 'preview_file_source_file_id_fkey', NULL),
        ('preview_file', 'task_id', 'task', 'preview_file_task_id_fkey', NULL),
        ('production_schedule_version', 'production_schedule_from', 'production_schedule_version', 'production_schedule_version_production_schedule_from_fkey', NULL),
        ('production_schedule_version', 'project_id', 'project', 'production_schedule_version_project_id_fkey', 'CASCADE'),
        ('production_schedule_version_task_link', 'production_schedule_version_id', 'production_schedule_version', 'production_schedule_version_t_production_schedule_version__fkey', 'CASCADE'),
        ('production_schedule_version_task_link', 'task_id', 'task', 'production_schedule_version_task_link_task_id_fkey', 'CASCADE'),
        ('production_schedule_version_task_link_person_link', 'person_id', 'person', 'production_schedule_version_task_link_person_lin_person_id_fkey', 'CASCADE'),
        ('production_schedule_version_task_link_person_link', 'production_schedule_version_task_link_id', 'production_schedule_version_task_link', 'production_schedule_version__production_schedule_version__fkey1', 'CASCADE'),
        ('project', 'default_preview_background_file_id', 'preview_background_file', 'project_default_preview_background_file_id_fkey', NULL),
        ('project', 'from_schedule_version_id', 'production_schedule_version', 'project_from_schedule_version_id_fkey', NULL),
        ('project', 'project_status_id', 'project_status', 'project_project_status_id_fkey', NULL),
        ('project_asset_type_link', 'asset_type_id', 'entity_type', 'project_asset_type_link_asset_type_id_fkey', NULL),
        ('project_asset_type_link', 'project_id', 'project', 'project_asset_type_link_project_id_fkey', NULL),
        ('project_person_link', 'person_id', 'person', 'project_person_link_person_id_fkey', NULL),
        ('project_person_link', 'project_id', 'project', 'project_person_link_project_id_fkey', NULL),
        ('project_preview_background_file_link', 'preview_background_file_id', 'preview_background_file', 'project_preview_background_file_preview_background_file_id_fkey', NULL),
        ('project_preview_background_file_link', 'project_id', 'project', 'project_preview_background_file_link_project_id_fkey', NULL),
        ('project_status_automation_link', 'project_id', 'project', 'project_status_automation_link_project_id_fkey', NULL),
        ('project_status_automation_link', 'status_automation_id', 'status_automation', 'project_status_automation_link_status_automation_id_fkey', NULL),
        ('project_task_status_link', 'project_id', 'project', 'project_task_status_link_project_id_fkey', NULL),
        ('project_task_status_link', 'task_status_id', 'task_status', 'project_task_status_link_task_status_id_fkey', NULL),
        ('project_task_type_link', 'project_id', 'project', 'project_task_type_link_project_id_fkey', NULL),
        ('project_task_type_link', 'task_type_id', 'task_type', 'project_task_type_link_task_type_id_fkey', NULL),
        ('project_template', 'default_preview_background_file_id', 'preview_background_file', 'project_template_default_preview_background_file_id_fkey', NULL),
        ('project_template_asset_type_link', 'asset_type_id', 'entity_type', 'project_template_asset_type_link_asset_type_id_fkey', NULL),
        ('project_template_asset_type_link', 'project_template_id', 'project_template', 'project_template_asset_type_link_project_template_id_fkey', NULL),
        ('project_template_preview_background_file_link', 'preview_background_file_id', 'preview_background_file', 'project_template_preview_backgr_preview_background_file_id_fkey', NULL),
        ('project_template_preview_background_file_link', 'project_template_id', 'project_template', 'project_template_preview_background_fi_project_template_id_fkey', NULL),
        ('project_template_status_automation_link', 'project_template_id', 'project_template', 'project_template_status_automation_lin_project_template_id_fkey', NULL),
        ('project_template_status_automation_link', 'status_automation_id', 'status_automation', 'project_template_status_automation_li_status_automation_id_fkey', NULL),
        ('project_template_task_status_link', 'project_template_id', 'project_template', 'project_template_task_status_link_project_template_id_fkey', NULL),
        ('project_template_task_status_link', 'task_status_id', 'task_status', 'project_template_task_status_link_task_status_id_fkey', NULL),
        ('project_template_task_type_link', 'project_template_id', 'project_template', 'project_template_task_type_link_project_template_id_fkey', NULL),
        ('project_template_task_type_link', 'task_type_id', 'task_type', 'project_template_task_type_link_task_type_id_fkey', NULL),
        ('salary_scale', 'department_id', 'department', 'salary_scale_department_id_fkey', 'CASCADE'),
        ('schedule_item', 'project_id', 'project', 'schedule_item_project_id_fkey', NULL),
        ('schedule_item', 'task_type_id', 'task_type', 'schedule_item_task_type_id_fkey', NULL),
        ('search_filter', 'department_id', 'department', 'search_filter_department_id_fkey', NULL),
        ('search_filter', 'person_id', 'person', 'search_filter_person_id_fkey', NULL),
        ('search_filter', 'project_id', 'project', 'search_filter_project_id_fkey', NULL),
        ('search_filter', 'search_filter_group_id', 'search_filter_group', 'search_filter_search_filter_group_id_fkey', NULL),
        ('search_filter_group', 'department_id', 'department', 'search_filter_group_department_id_fkey', NULL),
        ('search_filter_group', 'person_id', 'person', 'search_filter_group_person_id_fkey', NULL),
        ('search_filter_group', 'project_id', 'project', 'search_filter_group_project_id_fkey', NULL),
        ('software_department_link', 'department_id', 'department', 'software_department_link_department_id_fkey', NULL),
        ('software_department_link', 'software_id', 'software', 'software_department_link_software_id_fkey', NULL),
        ('status_automation', 'in_task_status_id', 'task_status', 'status_automation_in_task_status_id_fkey', NULL),
        ('status_automation', 'in_task_type_id', 'task_type', 'status_automation_in_task_type_id_fkey', NULL),
        ('status_automation', 'out_task_status_id', 'task_status', 'status_automation_out_task_status_id_fkey', NULL),
        ('status_automation', 'out_task_type_id', 'task_type', 'status_automation_out_task_type_id_fkey', NULL),
        ('subscription', 'entity_id', 'entity', 'subscription_entity_id_fkey', NULL),
        ('subscription', 'person_id', 'person', 'subscription_person_id_fkey', NULL),
        ('subscription', 'task_id', 'task', 'subscription_task_id_fkey', NULL),
        ('subscription', 'task_type_id', 'task_type', 'subscription_task_type_id_fkey', NULL),
        ('task', 'assigner_id', 'person', 'task_assigner_id_fkey', NULL),
        ('task', 'entity_id', 'entity', 'task_entity_id_fkey', NULL),
        ('task', 'project_id', 'project', 'task_project_id_fkey', NULL),
        ('task', 'task_status_id', 'task_status', 'task_task_status_id_fkey', NULL),
        ('task', 'task_type_id', 'task_type', 'task_task_type_id_fkey', NULL),
        ('task_person_link', 'person_id', 'person', 'task_person_link_person_id_fkey', NULL),
        ('task_person_link', 'task_id', 'task', 'task_person_link_task_id_fkey', NULL),
        ('task_type', 'department_id', 'department', 'task_type_department_id_fkey', NULL),
        ('task_type_asset_type_link', 'asset_type_id', 'entity_type', 'task_type_asset_type_link_asset_type_id_fkey', NULL),
        ('task_type_asset_type_link', 'task_type_id', 'task_type', 'task_type_asset_type_link_task_type_id_fkey', NULL),
        ('time_spent', 'person_id', 'person', 'time_spent_person_id_fkey', NULL),
        ('time_spent', 'task_id', 'task', 'time_spent_task_id_fkey', NULL),
        ('working_file', 'entity_id', 'entity', 'working_file_entity_id_fkey', NULL),
        ('working_file', 'person_id', 'person', 'working_file_person_id_fkey', NULL),
        ('working_file', 'software_id', 'software', 'working_file_software_id_fkey', NULL),
        ('working_file', 'task_id', 'task', 'working_file_task_id_fkey', NULL)
    ) AS v (table_name, column_name, ref_table, constraint_name, on_delete)
    LOOP
        IF NOT EXISTS (
            SELECT 1 FROM pg_constraint
            WHERE conrelid = fk.table_name::regclass
              AND (conname = fk.constraint_name
                   OR (contype = 'f'
                       AND confrelid = fk.ref_table::regclass
                       AND conkey = ARRAY[(
                           SELECT attnum FROM pg_attribute
                           WHERE attrelid = fk.table_name::regclass
                             AND attname = fk.column_name)]))
        ) THEN
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (%I) REFERENCES %I (id)%s',
                fk.table_name, fk.constraint_name, fk.column_name, fk.ref_table,
                CASE WHEN fk.on_delete IS NULL THEN ''
                     ELSE ' ON DELETE ' || fk.on_delete END);
        END IF;
    END LOOP;
END
$$;
