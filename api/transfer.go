package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// transferRoutes: the spreadsheet import, its template, and the exports.
func (s *Server) transferRoutes() []route {
	return append([]route{
		{Method: http.MethodPost, Path: v1 + "/import/projects", Obj: "import", Act: "run", Upload: true,
			Summary: "Import projects from an .xlsx or .csv (multipart field file; ?dry_run=true checks only): all or nothing, 422 lists every bad row",
			Query:   importQuery{}, Out: ImportReport{}, Answers: map[int]any{http.StatusUnprocessableEntity: ImportReport{}},
			Errors: []int{http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType}, Handler: s.importProjects},
		{Method: http.MethodGet, Path: v1 + "/import/template.xlsx", Obj: "import", Act: "run",
			Summary: "The import template: headers, an example row, drop-down lists", Files: []string{mediaXLSX}, Handler: s.importTemplate},
		{Method: http.MethodGet, Path: v1 + "/export/projects.xlsx", Obj: "export", Act: "run",
			Summary: "The visible projects matching the list's filters as a spreadsheet in the import format",
			Query:   projectFilters{}, Files: []string{mediaXLSX}, Handler: s.exportProjects},
		{Method: http.MethodGet, Path: v1 + "/export/activities.xlsx", Obj: "export", Act: "run",
			Summary: "The activities of the visible projects matching the list's filters (?from=, ?to= bound their dates)",
			Query:   activityExportQuery{}, Files: []string{mediaXLSX}, Handler: s.exportActivities},
	}, s.exportJobRoutes()...)
}

const xlsxType = mediaXLSX

// importQuery: ?dry_run=true checks the file and writes nothing.
type importQuery struct {
	DryRun string `query:"dry_run" enum:"true,false,1,0" description:"true: check only, write nothing"`
}

// activityExportQuery is the list's filters and the activities' date range.
type activityExportQuery struct {
	projectFilters
	From string `query:"from" format:"date" description:"activities on or after (YYYY-MM-DD)"`
	To   string `query:"to" format:"date" description:"activities on or before (YYYY-MM-DD)"`
}

// ImportRowError is one problem of an import file: the row as the spreadsheet numbers it,
// the column header as the file wrote it, and why.
type ImportRowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// ImportReport is the answer to an import: what it did or, for a dry run, would do; on a
// refused file (422) nothing is written, every bad row is listed, and Error carries the
// contract's error shape beside it.
type ImportReport struct {
	Created        int              `json:"created"`
	Updated        int              `json:"updated"`
	Unchanged      int              `json:"unchanged"`
	Rows           int              `json:"rows"`
	DryRun         bool             `json:"dry_run"`
	Applied        bool             `json:"applied"`
	Format         string           `json:"format"`
	Encoding       string           `json:"encoding,omitempty"`
	IgnoredColumns []string         `json:"ignored_columns,omitempty"`
	Errors         []ImportRowError `json:"errors"`
	Error          *ErrorDetail     `json:"error,omitempty"`
}

// OK reports whether the file had no problem.
func (r *ImportReport) OK() bool { return len(r.Errors) == 0 }

// ImportFile parses an import file and applies it through imp, all or nothing; the API and
// the command line share it. It returns an error only for a file that cannot be read at
// all (not a spreadsheet: EINVALID; past a limit: ETOOLARGE) or a failure of the database;
// problems in rows are in the report.
func ImportFile(ctx context.Context, imp domain.ProjectImporter, r io.ReaderAt, size int64, filename string, lim spreadsheet.Limits, dryRun bool) (*ImportReport, error) {
	res, err := spreadsheet.ParseProjects(r, size, filename, lim)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Rows: len(res.Rows), DryRun: dryRun, Format: res.Format, Encoding: res.Encoding,
		IgnoredColumns: res.Ignored, Errors: []ImportRowError{}}
	// Rows the parser found wrong are reported as it found them; the others still go
	// through the database's checks (unknown owner, credit code of another enterprise, …),
	// as a dry run when the file is already refused, so that one round lists every problem.
	bad := map[int]bool{}
	var tail []ImportRowError // the parser's "N more errors" line
	for _, e := range res.Errors {
		if e.Row == 0 {
			tail = append(tail, ImportRowError{Column: e.Column, Message: e.Message})
			continue
		}
		bad[e.Row] = true
		rep.Errors = append(rep.Errors, ImportRowError{Row: e.Row, Column: e.Column, Message: e.Message})
	}
	headerBad := len(res.Rows) == 0 // a problem above the first data row is the header's:
	for row := range bad {          // then every row is suspect
		headerBad = headerBad || row < res.Rows[0].Row
	}
	var rows []domain.ImportRow
	if !headerBad {
		for _, r := range res.Rows {
			if !bad[r.Row] {
				rows = append(rows, domain.ImportRow{Row: r.Row, Input: r.Input})
			}
		}
	}
	cols := map[string]bool{}
	for _, f := range spreadsheet.ColumnFields() {
		cols[f] = res.HasColumn(f)
	}
	out, err := imp.ImportProjects(ctx, rows, domain.ImportOptions{DryRun: dryRun || !res.OK(), Columns: cols})
	if err != nil {
		return nil, err
	}
	rep.Created, rep.Updated, rep.Unchanged = out.Created, out.Updated, out.Unchanged
	for _, e := range out.Errors {
		rep.Errors = append(rep.Errors, ImportRowError{Row: e.Row, Column: res.Header(e.Field), Message: e.Message})
	}
	sort.SliceStable(rep.Errors, func(i, j int) bool { return rep.Errors[i].Row < rep.Errors[j].Row })
	rep.Errors = append(rep.Errors, tail...)
	if !rep.OK() {
		n := len(rep.Errors) - len(tail) + (res.ErrorCount - (len(res.Errors) - len(tail)))
		return rep.refused(n), nil
	}
	rep.Applied = !dryRun
	return rep, nil
}

func (r *ImportReport) refused(n int) *ImportReport {
	r.Created, r.Updated, r.Unchanged = 0, 0, 0
	r.Error = &ErrorDetail{Code: domain.ERULE,
		Message: fmt.Sprintf("导入文件有 %d 处错误，未写入任何数据 (%d errors in the file; nothing written)", n, n)}
	return r
}

func (s *Server) importProjects(c *gin.Context) {
	dry := false
	switch v := strings.ToLower(strings.TrimSpace(c.Query("dry_run"))); v {
	case "", "false", "0":
	case "true", "1":
		dry = true
	default:
		Abort(c, &domain.Error{Code: domain.EINVALID, Message: "dry_run 应为 true 或 false", Fields: map[string]string{"dry_run": "应为 true 或 false"}})
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe) || strings.Contains(err.Error(), "request body too large"):
			Abort(c, domain.Errorf(domain.ETOOLARGE, "上传文件过大，最大 %d MiB (upload larger than %d MiB)", s.opts.MaxUploadBytes>>20, s.opts.MaxUploadBytes>>20))
		case errors.Is(err, http.ErrMissingFile):
			Abort(c, &domain.Error{Code: domain.EINVALID, Message: "请选择要导入的文件 (no file)", Fields: map[string]string{"file": "必填：.xlsx 或 .csv 文件 (required)"}})
		default:
			Abort(c, &domain.Error{Code: domain.EINVALID, Message: "请以 multipart/form-data 上传，文件字段名为 file (multipart upload with a file field expected)",
				Fields: map[string]string{"file": "必填：.xlsx 或 .csv 文件 (required)"}})
		}
		return
	}
	f, err := fh.Open()
	if err != nil {
		Abort(c, err)
		return
	}
	defer f.Close()
	rep, err := ImportFile(c.Request.Context(), s.svc.Imports, f, fh.Size, fh.Filename,
		spreadsheet.Limits{MaxFileBytes: s.opts.MaxUploadBytes}, dry)
	if err != nil {
		Abort(c, err)
		return
	}
	status := http.StatusOK
	if !rep.OK() {
		status = http.StatusUnprocessableEntity
	}
	s.log.Info("import", "user", domain.ActorFrom(c.Request.Context()).User.Username, "file", fh.Filename, "rows", rep.Rows,
		"created", rep.Created, "updated", rep.Updated, "errors", len(rep.Errors), "dry_run", dry)
	c.JSON(status, rep)
}

func (s *Server) importTemplate(c *gin.Context) {
	var buf bytes.Buffer
	if err := spreadsheet.WriteTemplate(&buf); err != nil {
		Abort(c, err)
		return
	}
	c.Header("Content-Disposition", spreadsheet.ContentDisposition("招商项目导入模板.xlsx"))
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
}

// gate discards what is written to it until opened, so that a workbook whose rows failed
// half-way is never sent: the error is answered instead.
type gate struct {
	w    io.Writer
	open bool
}

func (g *gate) Write(p []byte) (int, error) {
	if !g.open {
		return len(p), nil
	}
	return g.w.Write(p)
}

// stream writes a workbook: fill adds the rows; only when it succeeds are the headers and
// the file sent.
func (s *Server) stream(c *gin.Context, filename string, start func(io.Writer) (interface{ Close() error }, error), fill func() error) {
	g := &gate{w: c.Writer}
	wb, err := start(g)
	if err != nil {
		Abort(c, err)
		return
	}
	if err := fill(); err != nil {
		wb.Close() // removes temporary files; the gate discards the bytes
		Abort(c, err)
		return
	}
	c.Header("Content-Type", xlsxType)
	c.Header("Content-Disposition", spreadsheet.ContentDisposition(filename))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	g.open = true
	if err := wb.Close(); err != nil {
		s.log.Error("export: writing the workbook failed", "err", err, "request_id", c.GetString(requestIDKey))
	}
}

func (s *Server) exportProjects(c *gin.Context) {
	f, err := projectFilter(c)
	if err != nil {
		Abort(c, err)
		return
	}
	ctx := c.Request.Context()
	var ex *spreadsheet.ProjectExporter
	name := "招商项目-" + s.zoneNow(ctx).Format("20060102") + ".xlsx"
	s.stream(c, name, func(w io.Writer) (interface{ Close() error }, error) {
		var err error
		ex, err = spreadsheet.NewProjectExporter(w)
		return ex, err
	}, func() error {
		return s.svc.Exports.EachExportProject(ctx, f, func(p *domain.Project, code string) error {
			return ex.AddWithCreditCode(p, code)
		})
	})
}

func (s *Server) exportActivities(c *gin.Context) {
	f, err := projectFilter(c)
	fe := domain.FieldErrors{}
	for k, v := range domain.ErrorFields(err) {
		fe.Add(k, v)
	}
	var from, to domain.Date
	for name, dst := range map[string]*domain.Date{"from": &from, "to": &to} {
		if v := strings.TrimSpace(c.Query(name)); v != "" {
			d, err := domain.ParseDate(v)
			if err != nil {
				fe.Add(name, err.Error())
			}
			*dst = d
		}
	}
	if err := fe.Err(); err != nil {
		Abort(c, err)
		return
	}
	ctx := c.Request.Context()
	var ex *spreadsheet.ActivityExporter
	name := "走访接洽记录-" + s.zoneNow(ctx).Format("20060102") + ".xlsx"
	s.stream(c, name, func(w io.Writer) (interface{ Close() error }, error) {
		var err error
		ex, err = spreadsheet.NewActivityExporter(w)
		return ex, err
	}, func() error {
		return s.svc.Exports.EachActivity(ctx, f, from, to, func(project string, a *domain.Activity) error {
			return ex.Add(project, a)
		})
	})
}
