-- A published version is immutable (DESIGN.md §4): runs are pinned to it and its checksum vouches
-- for its content. The database itself refuses to change one, whatever the code above it does.
CREATE TRIGGER `flow_versions_immutable` BEFORE UPDATE ON `flow_versions`
BEGIN
	SELECT RAISE(ABORT, 'flow versions are immutable');
END;
