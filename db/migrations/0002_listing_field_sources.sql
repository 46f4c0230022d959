ALTER TABLE `rltr_mktg_listings` ADD `field_sources` text DEFAULT '{}' NOT NULL;
