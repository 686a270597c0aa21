package spreadsheet

// HasColumn reports whether the file had a column for a ProjectInput JSON field name
// ("chain", "owner", ...). An import updates an existing project only in the columns the
// file has, so that a sheet without 负责人 does not clear anyone's owner.
func (r *ParseResult) HasColumn(field string) bool {
	for i, c := range columns {
		if c.key == field {
			return r.headers[i] != ""
		}
	}
	return false
}

// ColumnFields lists the JSON field names of the import columns, in the contract's order.
func ColumnFields() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.key
	}
	return out
}
