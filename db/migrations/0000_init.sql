CREATE TABLE `rltr_mktg_agent_listing_sources` (
	`agent_id` text NOT NULL,
	`source_id` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`agent_id`, `source_id`),
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`source_id`) REFERENCES `rltr_mktg_listing_sources`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rltr_mktg_agent_listing_sources_source_idx` ON `rltr_mktg_agent_listing_sources` (`source_id`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_agents` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`password_hash` text NOT NULL,
	`name` text NOT NULL,
	`brokerage_name` text DEFAULT '' NOT NULL,
	`license_number` text DEFAULT '' NOT NULL,
	`phone` text DEFAULT '' NOT NULL,
	`timezone` text DEFAULT 'America/New_York' NOT NULL,
	`brand` text DEFAULT '{}' NOT NULL,
	`marketing_email` text,
	`auto_draft_new_listings` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_agents_email_unique` ON `rltr_mktg_agents` (`email`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_content_events` (
	`id` text PRIMARY KEY NOT NULL,
	`content_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`note` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`content_id`) REFERENCES `rltr_mktg_content_pieces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rltr_mktg_content_events_content_idx` ON `rltr_mktg_content_events` (`content_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_content_pieces` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`listing_id` text NOT NULL,
	`kind` text NOT NULL,
	`post_type` text NOT NULL,
	`status` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`parent_id` text,
	`generation_key` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`structured` text,
	`generator` text,
	`model` text,
	`prompt_version` text,
	`trace_id` text,
	`prompt_tokens` integer,
	`completion_tokens` integer,
	`latency_ms` integer,
	`compliance_flags` text DEFAULT '[]' NOT NULL,
	`compliance_acknowledged_at` integer,
	`feedback` text,
	`error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`listing_id`) REFERENCES `rltr_mktg_listings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`parent_id`) REFERENCES `rltr_mktg_content_pieces`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_content_pieces_generation_key_unique` ON `rltr_mktg_content_pieces` (`generation_key`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_content_pieces_agent_status_idx` ON `rltr_mktg_content_pieces` (`agent_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_content_pieces_agent_listing_idx` ON `rltr_mktg_content_pieces` (`agent_id`,`listing_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_content_pieces_parent_idx` ON `rltr_mktg_content_pieces` (`parent_id`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_ingestion_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`source_id` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`pages_fetched` integer DEFAULT 0 NOT NULL,
	`listings_found` integer DEFAULT 0 NOT NULL,
	`listings_new` integer DEFAULT 0 NOT NULL,
	`listings_changed` integer DEFAULT 0 NOT NULL,
	`listings_removed` integer DEFAULT 0 NOT NULL,
	`error_count` integer DEFAULT 0 NOT NULL,
	`errors` text DEFAULT '[]' NOT NULL,
	`failure_reason` text,
	FOREIGN KEY (`source_id`) REFERENCES `rltr_mktg_listing_sources`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rltr_mktg_ingestion_runs_source_started_idx` ON `rltr_mktg_ingestion_runs` (`source_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_listing_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`listing_id` text NOT NULL,
	`agent_id` text NOT NULL,
	`run_id` text,
	`change_type` text NOT NULL,
	`changes` text DEFAULT '{}' NOT NULL,
	`events` text DEFAULT '[]' NOT NULL,
	`dispatched_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`listing_id`) REFERENCES `rltr_mktg_listings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`run_id`) REFERENCES `rltr_mktg_ingestion_runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `rltr_mktg_listing_changes_listing_idx` ON `rltr_mktg_listing_changes` (`listing_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_listing_changes_agent_idx` ON `rltr_mktg_listing_changes` (`agent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_listing_changes_dispatch_idx` ON `rltr_mktg_listing_changes` (`dispatched_at`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_listing_sources` (
	`id` text PRIMARY KEY NOT NULL,
	`adapter` text NOT NULL,
	`base_url` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_listing_sources_base_url_unique` ON `rltr_mktg_listing_sources` (`base_url`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_listings` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`origin` text NOT NULL,
	`source_id` text,
	`source_key` text NOT NULL,
	`source_url` text,
	`content_hash` text NOT NULL,
	`address_line` text NOT NULL,
	`city` text DEFAULT '' NOT NULL,
	`state` text DEFAULT 'FL' NOT NULL,
	`zip` text DEFAULT '' NOT NULL,
	`community` text DEFAULT '' NOT NULL,
	`plan_name` text DEFAULT '' NOT NULL,
	`price_cents` integer,
	`beds` integer,
	`baths_full` integer,
	`baths_half` integer,
	`sqft` integer,
	`garage` integer,
	`status` text DEFAULT 'available' NOT NULL,
	`move_in_date` text,
	`incentives` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`image_urls` text DEFAULT '[]' NOT NULL,
	`previous_price_cents` integer,
	`price_changed_at` integer,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`off_market_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`source_id`) REFERENCES `rltr_mktg_listing_sources`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_listings_agent_source_key_uq` ON `rltr_mktg_listings` (`agent_id`,`origin`,`source_key`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_listings_agent_first_seen_idx` ON `rltr_mktg_listings` (`agent_id`,`first_seen_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_listings_agent_status_idx` ON `rltr_mktg_listings` (`agent_id`,`status`,`first_seen_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_listings_agent_price_idx` ON `rltr_mktg_listings` (`agent_id`,`price_cents`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_listings_agent_community_idx` ON `rltr_mktg_listings` (`agent_id`,`community`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_listings_source_idx` ON `rltr_mktg_listings` (`source_id`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_marketing_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`content_id` text NOT NULL,
	`recipient_email` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`response` text,
	`response_notes` text,
	`responded_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`content_id`) REFERENCES `rltr_mktg_content_pieces`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_marketing_requests_token_hash_unique` ON `rltr_mktg_marketing_requests` (`token_hash`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_marketing_requests_agent_idx` ON `rltr_mktg_marketing_requests` (`agent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_marketing_requests_content_idx` ON `rltr_mktg_marketing_requests` (`content_id`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_notification_preferences` (
	`agent_id` text NOT NULL,
	`event_type` text NOT NULL,
	`in_app` integer DEFAULT true NOT NULL,
	`email` integer DEFAULT false NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`agent_id`, `event_type`),
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rltr_mktg_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`event_type` text NOT NULL,
	`title` text NOT NULL,
	`body` text DEFAULT '' NOT NULL,
	`link` text,
	`dedupe_key` text NOT NULL,
	`in_app` integer DEFAULT true NOT NULL,
	`email_status` text DEFAULT 'none' NOT NULL,
	`read_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_notifications_dedupe_key_unique` ON `rltr_mktg_notifications` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_notifications_agent_created_idx` ON `rltr_mktg_notifications` (`agent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_notifications_agent_unread_idx` ON `rltr_mktg_notifications` (`agent_id`,`read_at`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_post_schedule` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`content_id` text NOT NULL,
	`social_account_id` text,
	`platform` text NOT NULL,
	`scheduled_at` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`external_post_id` text,
	`permalink` text,
	`last_error` text,
	`posted_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`content_id`) REFERENCES `rltr_mktg_content_pieces`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`social_account_id`) REFERENCES `rltr_mktg_social_accounts`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_post_schedule_content_platform_uq` ON `rltr_mktg_post_schedule` (`content_id`,`platform`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_post_schedule_agent_scheduled_idx` ON `rltr_mktg_post_schedule` (`agent_id`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_post_schedule_status_scheduled_idx` ON `rltr_mktg_post_schedule` (`status`,`scheduled_at`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`window_start` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rltr_mktg_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rltr_mktg_sessions_agent_idx` ON `rltr_mktg_sessions` (`agent_id`);--> statement-breakpoint
CREATE TABLE `rltr_mktg_social_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`platform` text NOT NULL,
	`external_id` text NOT NULL,
	`display_name` text NOT NULL,
	`access_token_ciphertext` text NOT NULL,
	`access_token_iv` text NOT NULL,
	`key_id` text NOT NULL,
	`token_expires_at` integer,
	`scopes` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'connected' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_social_accounts_agent_platform_uq` ON `rltr_mktg_social_accounts` (`agent_id`,`platform`,`external_id`);