ALTER TABLE `rltr_mktg_ingestion_runs` ADD `requested_by` text REFERENCES rltr_mktg_agents(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `rltr_mktg_ingestion_runs` ADD `heartbeat_at` integer;
