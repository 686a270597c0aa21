package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/laiyuan-edz/chaincrm/api"
	"github.com/laiyuan-edz/chaincrm/cmd/chaincrm/wire"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// openapiCommand writes the API's OpenAPI document (the one GET /api/v1/openapi.json
// serves) to w. The document depends on the code alone, so the server is built on a
// throw-away empty database that nothing reads.
func (m *Main) openapiCommand(ctx context.Context, w io.Writer, tmpDir string) error {
	db, err := repository.Open(repository.DriverSQLite, filepath.Join(tmpDir, "openapi.db"), repository.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	srv := api.New(wire.Services(db, nil, nil), nil, db, slog.New(slog.NewTextHandler(io.Discard, nil)),
		api.Options{Exports: api.ExportJobOptions{Dir: filepath.Join(tmpDir, "exports")}})
	defer srv.Close()
	b, err := srv.OpenAPIJSON()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
