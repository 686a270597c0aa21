package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/api/report"
	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/domain"
)

// figuresRoutes: the dashboard's figures, the annual report and the yearly targets.
func (s *Server) figuresRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: v1 + "/stats/overview", Obj: "stats", Act: "read",
			Summary: "Figures of a year (?year=, default this year) in the caller's scope: docked by channel, stage, chain and asset type; signings; campaigns; stage conversion and median days; channel, agency and referrer results; planned vs realised investment",
			Query:   yearQuery{}, Out: domain.Overview{}, Handler: s.overview},
		{Method: http.MethodGet, Path: v1 + "/reports/annual", Obj: "report", Act: "read",
			Summary: "The annual paragraph (seed 一(七)) written from the data, with its figures (?year=; ?format=html for a printable page, ?format=docx for a Word document)",
			Query:   annualQuery{}, Out: annualReport{}, Files: []string{mediaHTML, mediaDOCX}, Handler: s.annualReport},
		{Method: http.MethodGet, Path: v1 + "/targets", Obj: "target", Act: "read",
			Summary: "The year's targets (?year=) with progress computed from the data, and the metrics a target can be set on",
			Query:   yearQuery{}, Out: targetList{}, Handler: s.listTargets},
		{Method: http.MethodPost, Path: v1 + "/targets", Obj: "target", Act: "manage",
			Summary: "Set a yearly target {year, metric, target, label?, notes?}",
			Body:    targetBody{}, Out: targetOut{}, Status: http.StatusCreated, Errors: []int{http.StatusConflict}, Handler: s.createTarget},
		{Method: http.MethodPatch, Path: v1 + "/targets/:id", Obj: "target", Act: "manage",
			Summary: "Change a target's value, label or notes",
			Body:    domain.TargetUpdate{}, Out: targetOut{}, Handler: s.updateTarget},
	}
}

// zoneNow is the time in the caller's zone.
func (s *Server) zoneNow(ctx context.Context) time.Time {
	loc := time.UTC
	if a := domain.ActorFrom(ctx); a != nil && a.Zone != nil {
		if l, err := time.LoadLocation(a.Zone.TimeZone); err == nil {
			loc = l
		}
	}
	return s.opts.Clock.Now().In(loc)
}

// yearParam reads ?year=, defaulting to the zone's current year.
func (s *Server) yearParam(c *gin.Context) (int, error) {
	v := strings.TrimSpace(c.Query("year"))
	if v == "" {
		return s.zoneNow(c.Request.Context()).Year(), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1900 || n > 2200 {
		return 0, &domain.Error{Code: domain.EINVALID, Message: "年份无效 (invalid year)", Fields: map[string]string{"year": "应为四位年份 (a year)"}}
	}
	return n, nil
}

func (s *Server) overview(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	o, err := s.svc.Stats.Overview(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	s.encoded.write(c, o)
}

// annualQuery picks the year and the form of the annual report.
type annualQuery struct {
	yearQuery
	Format string `query:"format" enum:"json,html,docx" default:"json" description:"json (default), html for a printable page, docx for a Word document"`
}

// annualReport is the annual paragraph with its figures.
type annualReport struct {
	Year    int                   `json:"year"`
	Text    string                `json:"text" description:"the paragraph in the seed's wording"`
	Figures *domain.AnnualFigures `json:"figures"`
}

func (s *Server) annualReport(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	format := c.DefaultQuery("format", "json")
	if format != "json" && format != "html" && format != "docx" {
		Abort(c, &domain.Error{Code: domain.EINVALID, Message: "format 应为 json、html 或 docx", Fields: map[string]string{"format": "应为 json、html 或 docx (json, html or docx)"}})
		return
	}
	f, err := s.svc.Stats.AnnualFigures(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	if format == "docx" {
		var buf bytes.Buffer
		if err := report.DOCX(&buf, f); err != nil {
			Abort(c, err)
			return
		}
		c.Header("Content-Disposition", spreadsheet.ContentDisposition(fmt.Sprintf("%d年招商引资工作情况.docx", year)))
		c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", buf.Bytes())
		return
	}
	if format == "html" {
		var buf bytes.Buffer
		if err := report.HTML(&buf, f); err != nil {
			Abort(c, err)
			return
		}
		c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
		return
	}
	c.JSON(http.StatusOK, annualReport{Year: year, Text: report.Text(f), Figures: f})
}

// targetOut is a target as the API shows it: with its metric's name and unit, and the
// progress as a percentage.
type targetOut struct {
	*domain.Target
	MetricLabel string  `json:"metric_label"`
	Unit        string  `json:"unit"`
	Percent     float64 `json:"percent"`
}

func showTarget(t *domain.Target) targetOut {
	m, _ := domain.MetricByCode(t.Metric)
	out := targetOut{Target: t, MetricLabel: m.Label, Unit: m.Unit}
	if t.Value > 0 {
		out.Percent = float64(int64(float64(t.Progress)*1000/float64(t.Value))) / 10
	}
	return out
}

func (s *Server) listTargets(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	ts, err := s.svc.Targets.FindTargets(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	items := make([]targetOut, len(ts))
	for i, t := range ts {
		items[i] = showTarget(t)
	}
	c.JSON(http.StatusOK, targetList{Year: year, Items: items, Total: len(items), Metrics: domain.TargetMetrics})
}

// targetList is a year's targets with the metrics a target can be set on.
type targetList struct {
	Year    int                   `json:"year"`
	Items   []targetOut           `json:"items"`
	Total   int                   `json:"total"`
	Metrics []domain.TargetMetric `json:"metrics"`
}

type targetBody struct {
	Year   int    `json:"year"`
	Metric string `json:"metric"`
	Value  int64  `json:"target"`
	Label  string `json:"label"`
	Notes  string `json:"notes"`
}

func (s *Server) createTarget(c *gin.Context) {
	var b targetBody
	if err := decodeJSON(c, &b); err != nil {
		Abort(c, err)
		return
	}
	t := &domain.Target{Year: b.Year, Metric: strings.TrimSpace(b.Metric), Value: b.Value, Label: b.Label, Notes: b.Notes}
	if err := s.svc.Targets.CreateTarget(c.Request.Context(), t); err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, showTarget(t))
}

func (s *Server) updateTarget(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var upd domain.TargetUpdate
	if err := decodeJSON(c, &upd); err != nil {
		Abort(c, err)
		return
	}
	t, err := s.svc.Targets.UpdateTarget(c.Request.Context(), id, upd)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, showTarget(t))
}
