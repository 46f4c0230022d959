CREATE TABLE `rltr_mktg_data_deletion_requests` (
	`confirmation_code` text PRIMARY KEY NOT NULL,
	`meta_user_id` text NOT NULL,
	`accounts_deleted` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rltr_mktg_media_assets` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`source_url` text NOT NULL,
	`purpose` text DEFAULT 'instagram' NOT NULL,
	`r2_key` text NOT NULL,
	`content_type` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_media_assets_source_uq` ON `rltr_mktg_media_assets` (`agent_id`,`purpose`,`source_url`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_oauth_states` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`session_id` text NOT NULL,
	`purpose` text NOT NULL,
	`code_verifier` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rltr_mktg_oauth_states_agent_idx` ON `rltr_mktg_oauth_states` (`agent_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_page_choices` (
	`agent_id` text NOT NULL,
	`page_id` text DEFAULT '' NOT NULL,
	`name` text NOT NULL,
	`instagram_id` text,
	`instagram_username` text,
	`meta_user_id` text,
	`scopes` text DEFAULT '' NOT NULL,
	`declined_scopes` text DEFAULT '' NOT NULL,
	`access_token_ciphertext` text NOT NULL,
	`access_token_iv` text NOT NULL,
	`key_id` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`agent_id`, `page_id`),
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
DROP INDEX `rltr_mktg_post_schedule_status_scheduled_idx`;--> statement-breakpoint
DROP INDEX `rltr_mktg_post_schedule_content_platform_uq`;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `phase` text DEFAULT 'new' NOT NULL;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `next_step_at` integer;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `lease_until` integer;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `attempt_started_at` integer;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `fingerprint` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `graph_state` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `failure_kind` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `warnings` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `preflight_at` integer;--> statement-breakpoint
CREATE INDEX `rltr_mktg_post_schedule_agent_next_idx` ON `rltr_mktg_post_schedule` (`agent_id`,`next_step_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_post_schedule_status_next_idx` ON `rltr_mktg_post_schedule` (`status`,`next_step_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_post_schedule_content_platform_uq` ON `rltr_mktg_post_schedule` (`content_id`,`platform`) WHERE status <> 'cancelled';--> statement-breakpoint
ALTER TABLE `rltr_mktg_social_accounts` ADD `username` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_social_accounts` ADD `page_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `rltr_mktg_social_accounts` ADD `meta_user_id` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_social_accounts` ADD `declined_scopes` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `rltr_mktg_social_accounts` ADD `status_reason` text;--> statement-breakpoint
CREATE INDEX `rltr_mktg_social_accounts_meta_user_idx` ON `rltr_mktg_social_accounts` (`meta_user_id`);--> statement-breakpoint
-- Hand-written: statuses renamed with this migration (posted -> published, canceled -> cancelled,
-- expired/revoked -> needs_reconnect/disconnected); a waiting post's next step is its time.
UPDATE `rltr_mktg_post_schedule` SET `status` = 'published' WHERE `status` = 'posted';--> statement-breakpoint
UPDATE `rltr_mktg_post_schedule` SET `status` = 'cancelled' WHERE `status` = 'canceled';--> statement-breakpoint
UPDATE `rltr_mktg_post_schedule` SET `next_step_at` = `scheduled_at` WHERE `status` = 'scheduled';--> statement-breakpoint
UPDATE `rltr_mktg_social_accounts` SET `status` = 'needs_reconnect' WHERE `status` = 'expired';--> statement-breakpoint
UPDATE `rltr_mktg_social_accounts` SET `status` = 'disconnected' WHERE `status` = 'revoked';--> statement-breakpoint
UPDATE `rltr_mktg_social_accounts` SET `page_id` = `external_id` WHERE `page_id` = '';
