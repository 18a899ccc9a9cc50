-- A published version is immutable (DESIGN.md §4): runs are pinned to it and its checksum vouches
-- for its content. The database itself refuses to change one, whatever the code above it does.
-- `created_by` is left out: deleting its user sets it null (ON DELETE SET NULL is an UPDATE).
CREATE TRIGGER `flow_versions_immutable` BEFORE UPDATE OF `id`, `flow_id`, `version`, `definition`, `checksum`, `name`, `description`, `created_at` ON `flow_versions`
BEGIN
	SELECT RAISE(ABORT, 'flow versions are immutable');
END;
