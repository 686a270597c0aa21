package repository

import (
	"gorm.io/gorm"
)

// migrateV9 lets a chain map read its links from indexes alone: (node_id, enterprise_id) on
// enterprise_nodes and (node_id, project_id) on project_nodes. The map reads the links of
// every node of a chain (joined to chain_nodes on the chain); with the single-column node_id
// index SQLite then fetched each link row to learn the other id. InnoDB's secondary indexes
// carry the primary key already, so on MySQL these add little but cost little. The
// single-column indexes they make redundant are dropped. Each change is checked first, so
// the step can run again on MySQL.
func migrateV9(tx *gorm.DB) error {
	m := tx.Migrator()
	for _, ix := range []struct{ table, name, cols, old string }{
		{"enterprise_nodes", "ix_enterprise_nodes_node_enterprise", "node_id, enterprise_id", "idx_enterprise_nodes_node_id"},
		{"project_nodes", "ix_project_nodes_node_project", "node_id, project_id", "idx_project_nodes_node_id"},
	} {
		if !m.HasIndex(ix.table, ix.name) {
			if err := tx.Exec("CREATE INDEX " + ix.name + " ON " + ix.table + " (" + ix.cols + ")").Error; err != nil {
				return err
			}
		}
		if m.HasIndex(ix.table, ix.old) {
			if err := m.DropIndex(ix.table, ix.old); err != nil {
				return err
			}
		}
	}
	return nil
}
