package repository

import (
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// migrateV14 makes the enterprise (客商) a first-class record (issue 14):
//
//   - enterprises gain a profile (ownership, address, website, tags), a version for
//     optimistic locking, the normalised name the duplicate checks compare (indexed with
//     the zone, so a check is one index lookup), and merged_into_id/deleted_at for an
//     enterprise merged into another;
//   - contacts (联系人) and activity_contacts (who was met at an activity);
//   - enterprise_history, the enterprise's own append-only history;
//   - attachments, the metadata of files kept in the file store.
//
// The old free-text enterprises.contact is moved into contact rows where it parses (a name,
// and a mobile, phone or email where found); text that does not parse is appended to the
// enterprise's notes. Then the column is dropped. The structs are frozen copies: do not
// edit. Every change is checked first, so the step can run again on MySQL.
func migrateV14(tx *gorm.DB) error {
	type Contact struct {
		ID           int64  `gorm:"primaryKey"`
		ZoneID       int64  `gorm:"not null"`
		EnterpriseID int64  `gorm:"not null;index:ix_contacts_enterprise,priority:1"`
		Name         string `gorm:"type:varchar(100);not null"`
		Title        string `gorm:"type:varchar(100);not null;default:''"`
		Mobile       string `gorm:"type:varchar(20);not null;default:''"`
		Phone        string `gorm:"type:varchar(40);not null;default:''"`
		Email        string `gorm:"type:varchar(200);not null;default:''"`
		Wechat       string `gorm:"type:varchar(64);not null;default:''"`
		Notes        string `gorm:"type:text"`
		Version      int64  `gorm:"not null;default:1"`
		CreatedAt    time.Time
		UpdatedAt    time.Time
		DeletedAt    *time.Time `gorm:"index:ix_contacts_enterprise,priority:2"`
	}
	// (contact_id, activity_id): a contact's meetings read from the index alone
	type ActivityContact struct {
		ActivityID int64 `gorm:"primaryKey;autoIncrement:false;index:ix_activity_contacts_contact,priority:2"`
		ContactID  int64 `gorm:"primaryKey;autoIncrement:false;index:ix_activity_contacts_contact,priority:1"`
	}
	type EnterpriseHistory struct {
		ID           int64     `gorm:"primaryKey"`
		ZoneID       int64     `gorm:"not null"`
		EnterpriseID int64     `gorm:"not null;index:ix_enterprise_history_at,priority:1"`
		At           time.Time `gorm:"not null;index:ix_enterprise_history_at,priority:2"`
		ActorID      int64     `gorm:"not null"`
		Actor        string    `gorm:"type:varchar(64);not null"`
		Action       string    `gorm:"type:varchar(40);not null"`
		Object       string    `gorm:"type:varchar(64);not null;default:''"`
		Field        string    `gorm:"type:varchar(64);not null;default:''"`
		FromValue    string    `gorm:"type:text"`
		ToValue      string    `gorm:"type:text"`
	}
	type Attachment struct {
		ID           int64      `gorm:"primaryKey"`
		ZoneID       int64      `gorm:"not null"`
		ProjectID    *int64     `gorm:"index:ix_attachments_project"`
		EnterpriseID *int64     `gorm:"index:ix_attachments_enterprise"`
		ActivityID   *int64     `gorm:"index:ix_attachments_activity"`
		Name         string     `gorm:"type:varchar(200);not null"`
		Title        string     `gorm:"type:varchar(200);not null;default:''"`
		Size         int64      `gorm:"not null"`
		ContentType  string     `gorm:"type:varchar(120);not null"`
		SHA256       string     `gorm:"column:sha256;type:char(64);not null;index:ix_attachments_sha256"`
		UploadedByID int64      `gorm:"not null"`
		CreatedAt    time.Time  `gorm:"not null"`
		DeletedAt    *time.Time `gorm:""`
		DeletedByID  *int64
	}
	for _, t := range []struct {
		name  string
		model any
	}{
		{"contacts", &Contact{}}, {"activity_contacts", &ActivityContact{}},
		{"enterprise_history", &EnterpriseHistory{}}, {"attachments", &Attachment{}},
	} {
		m := tx.Table(t.name).Migrator()
		if !m.HasTable(t.name) {
			if err := m.CreateTable(t.model); err != nil {
				return err
			}
		}
	}

	// the enterprise's new columns
	datetime := "datetime"
	if tx.Dialector.Name() == DriverMySQL {
		datetime = "datetime(3)"
	}
	m := tx.Migrator()
	for _, c := range []struct{ name, ddl string }{
		{"ownership", "varchar(30) NOT NULL DEFAULT ''"},
		{"address", "varchar(200) NOT NULL DEFAULT ''"},
		{"website", "varchar(300) NOT NULL DEFAULT ''"},
		{"tags", "text"},
		{"norm_name", "varchar(200) NOT NULL DEFAULT ''"},
		{"version", "bigint NOT NULL DEFAULT 1"},
		{"merged_into_id", "bigint NULL"},
		{"deleted_at", datetime + " NULL"},
	} {
		if !m.HasColumn("enterprises", c.name) {
			if err := tx.Exec("ALTER TABLE enterprises ADD COLUMN " + c.name + " " + c.ddl).Error; err != nil {
				return err
			}
		}
	}
	// normalised names, in batches by id
	type ent struct {
		ID      int64
		ZoneID  int64
		Name    string
		Contact string
		Notes   string
	}
	hasContact := m.HasColumn("enterprises", "contact")
	cols := "id, zone_id, name, notes"
	if hasContact {
		cols += ", contact"
	}
	now := time.Now().UTC()
	for after := int64(0); ; {
		var rows []ent
		if err := tx.Table("enterprises").Select(cols).Where("id > ?", after).Order("id").Limit(500).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			after = r.ID
			set := map[string]any{"norm_name": domain.NormalizeEnterpriseName(r.Name)}
			if text := strings.TrimSpace(r.Contact); text != "" {
				if c, ok := domain.ParseLegacyContact(text); ok {
					var n int64
					if err := tx.Table("contacts").Where("enterprise_id = ? AND name = ?", r.ID, c.Name).Count(&n).Error; err != nil {
						return err
					}
					if n == 0 {
						if err := tx.Table("contacts").Create(&Contact{ZoneID: r.ZoneID, EnterpriseID: r.ID, Name: c.Name, Title: c.Title,
							Mobile: c.Mobile, Phone: c.Phone, Email: c.Email, Notes: c.Notes, Version: 1, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
							return err
						}
					}
				} else if !strings.Contains(r.Notes, text) {
					set["notes"] = strings.TrimSpace(r.Notes + "\n联系方式：" + text)
				}
				set["contact"] = ""
			}
			if err := tx.Table("enterprises").Where("id = ?", r.ID).Updates(set).Error; err != nil {
				return err
			}
		}
	}
	if hasContact {
		if err := tx.Exec("ALTER TABLE enterprises DROP COLUMN contact").Error; err != nil {
			return err
		}
	}
	if !m.HasIndex("enterprises", "ix_enterprises_zone_norm") {
		if err := tx.Exec("CREATE INDEX ix_enterprises_zone_norm ON enterprises (zone_id, norm_name)").Error; err != nil {
			return err
		}
	}
	return nil
}
