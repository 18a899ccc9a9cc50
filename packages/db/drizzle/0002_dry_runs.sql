PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`flow_id` text NOT NULL,
	`version_id` text,
	`definition` text,
	`dry_run` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`input` text DEFAULT '{}' NOT NULL,
	`context` text,
	`conversation_id` text,
	`message_id` text,
	`error` text,
	`effects` text,
	`attempt` integer DEFAULT 1 NOT NULL,
	`retry_of` text,
	`resume` text,
	`enqueued_at` text,
	`created_at` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	FOREIGN KEY (`flow_id`) REFERENCES `flows`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`version_id`) REFERENCES `flow_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`retry_of`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_runs`("id", "flow_id", "version_id", "definition", "dry_run", "status", "trigger", "input", "context", "conversation_id", "message_id", "error", "effects", "attempt", "retry_of", "resume", "enqueued_at", "created_at", "started_at", "finished_at") SELECT "id", "flow_id", "version_id", NULL, 0, "status", "trigger", "input", "context", "conversation_id", "message_id", "error", NULL, "attempt", "retry_of", "resume", "enqueued_at", "created_at", "started_at", "finished_at" FROM `runs`;--> statement-breakpoint
DROP TABLE `runs`;--> statement-breakpoint
ALTER TABLE `__new_runs` RENAME TO `runs`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `runs_flow_idx` ON `runs` (`flow_id`,`id`);--> statement-breakpoint
CREATE INDEX `runs_status_enqueued_idx` ON `runs` (`status`,`enqueued_at`);--> statement-breakpoint
CREATE INDEX `runs_conversation_idx` ON `runs` (`conversation_id`);