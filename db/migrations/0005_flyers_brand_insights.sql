CREATE TABLE `rltr_mktg_post_metrics` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`post_id` text NOT NULL,
	`platform` text NOT NULL,
	`metric` text NOT NULL,
	`value` integer,
	`status` text DEFAULT 'ok' NOT NULL,
	`captured_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`post_id`) REFERENCES `rltr_mktg_post_schedule`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_post_metrics_post_metric_at_uq` ON `rltr_mktg_post_metrics` (`post_id`,`metric`,`captured_at`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_post_metrics_agent_captured_idx` ON `rltr_mktg_post_metrics` (`agent_id`,`captured_at`);--> statement-breakpoint
ALTER TABLE `rltr_mktg_agents` ADD `logo_asset_id` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_agents` ADD `headshot_asset_id` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_content_pieces` ADD `flyer_asset_id` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_content_pieces` ADD `attached_flyer_id` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `insights_at` integer;--> statement-breakpoint
ALTER TABLE `rltr_mktg_post_schedule` ADD `insights_error` text;--> statement-breakpoint
CREATE INDEX `rltr_mktg_post_schedule_status_posted_idx` ON `rltr_mktg_post_schedule` (`status`,`posted_at`);