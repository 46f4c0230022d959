ALTER TABLE `rltr_mktg_agents` ADD `quiet_hours_start` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_agents` ADD `quiet_hours_end` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_agents` ADD `digest_time` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_agents` ADD `marketing_reminder_days` integer DEFAULT 2 NOT NULL;--> statement-breakpoint
ALTER TABLE `rltr_mktg_marketing_requests` ADD `token_sealed` text;--> statement-breakpoint
ALTER TABLE `rltr_mktg_marketing_requests` ADD `reminder_sent_at` integer;--> statement-breakpoint
ALTER TABLE `rltr_mktg_notifications` ADD `email_due_at` integer;--> statement-breakpoint
CREATE INDEX `rltr_mktg_notifications_agent_email_idx` ON `rltr_mktg_notifications` (`agent_id`,`email_status`,`email_due_at`);