CREATE TABLE `rltr_mktg_email_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text,
	`to_address` text NOT NULL,
	`subject` text NOT NULL,
	`html` text NOT NULL,
	`text` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`status` text NOT NULL,
	`provider_id` text,
	`error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `rltr_mktg_agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rltr_mktg_email_outbox_idempotency_key_unique` ON `rltr_mktg_email_outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `rltr_mktg_email_outbox_agent_idx` ON `rltr_mktg_email_outbox` (`agent_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `rltr_mktg_content_pieces` ADD `root_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `rltr_mktg_content_pieces_root_idx` ON `rltr_mktg_content_pieces` (`root_id`,`version`);