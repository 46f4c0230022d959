CREATE TABLE `rltr_mktg_ingestion_apply_groups` (
	`run_id` text NOT NULL,
	`group_no` integer NOT NULL,
	`agent_ids` text NOT NULL,
	`leased_at` integer,
	`finished_at` integer,
	`listings_new` integer DEFAULT 0 NOT NULL,
	`listings_changed` integer DEFAULT 0 NOT NULL,
	`listings_removed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`run_id`, `group_no`),
	FOREIGN KEY (`run_id`) REFERENCES `rltr_mktg_ingestion_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rltr_mktg_ingestion_scrape_parts` (
	`run_id` text NOT NULL,
	`part` integer NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`run_id`, `part`),
	FOREIGN KEY (`run_id`) REFERENCES `rltr_mktg_ingestion_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `rltr_mktg_agent_listing_sources` ADD `synced_digest` text;