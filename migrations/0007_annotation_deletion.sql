-- An annotation deleted with `jina-history annotate --delete ID` keeps its row, marked with when it was deleted:
-- reports stop counting it, and still list it as deleted, so a report made before and one made after can both
-- be explained.
ALTER TABLE annotation ADD COLUMN deleted_ms INTEGER;
