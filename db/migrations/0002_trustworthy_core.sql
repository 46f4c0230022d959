CREATE TABLE `rltr_mktg_content_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`message` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`dispatched_at` integer,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rltr_mktg_content_requests_dispatch_idx` ON `rltr_mktg_content_requests` (`dispatched_at`,`created_at`);--> statement-breakpoint
ALTER TABLE `rltr_mktg_content_pieces` ADD `error_detail` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_content_pieces` ADD `repairs` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `rltr_mktg_content_pieces_status_updated_idx` ON `rltr_mktg_content_pieces` (`status`,`updated_at`);--> statement-breakpoint
ALTER TABLE `rltr_mktg_ingestion_runs` ADD `requested_by` text REFERENCES rltr_mktg_agents(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `rltr_mktg_ingestion_runs` ADD `heartbeat_at` integer;--> statement-breakpoint
ALTER TABLE `rltr_mktg_listings` ADD `field_sources` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `dispatched_at` integer;--> statement-breakpoint
CREATE INDEX `rltr_mktg_post_schedule_dispatch_idx` ON `rltr_mktg_post_schedule` (`dispatched_at`,`scheduled_at`);