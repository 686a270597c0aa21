package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// indicatorRoutes: the zone's economic indicators by month (经济指标) and projects'
// operations by period (issue 17).
func (s *Server) indicatorRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: v1 + "/indicators", Obj: "indicator", Act: "read",
			Summary: "The zone's monthly year-to-date indicators of a year (?year=), each with its growth on the same month a year before (null when that month or figure is missing, or its base is 0)",
			Query:   yearQuery{}, Out: indicatorYear{}, Handler: s.listIndicators},
		{Method: http.MethodPut, Path: v1 + "/indicators/:month", Obj: "indicator", Act: "manage",
			Summary:     "Enter a month's year-to-date indicators (admin, director); any figure may be null (not reported). A re-entered month replaces the earlier figures; each change is kept in its history",
			Description: "Amounts in 万元 (≥ 0, ≤ 10 000 000, at most four decimals); counts ≥ 0, above_scale_enterprises ≤ enterprises_in_statistics; the month YYYY-MM may not lie in the future.",
			Params:      indicatorPath{}, Body: domain.IndicatorFigures{}, Out: domain.MonthIndicators{}, Errors: []int{http.StatusConflict}, Handler: s.putIndicators},
		{Method: http.MethodGet, Path: v1 + "/indicators/:month/history", Obj: "indicator", Act: "read",
			Summary: "Every change of a month's indicators: who, when, figure, from, to",
			Params:  indicatorPath{}, Out: itemList[*domain.IndicatorChange]{}, Errors: []int{http.StatusBadRequest}, Handler: s.indicatorHistory},
		{Method: http.MethodGet, Path: v1 + "/projects/:id/operations", Obj: "project", Act: "read",
			Summary: "A project's operations by period (YYYY, YYYY-Qn, YYYY-MM), with tax and output per 亩 (税收 ÷ 占地亩) where its land is known",
			Out:     domain.ProjectOperationsList{}, Handler: s.listOperations},
		{Method: http.MethodPut, Path: v1 + "/projects/:id/operations/:period", Obj: "operations", Act: "update",
			Summary:     "Enter a project's operations for a period (whoever may edit the project): output, revenue, tax, employees, investment completed, 入统 and 四上",
			Description: "Amounts in 万元 (≥ 0, ≤ 10 000 000); employees ≥ 0; above_scale needs in_statistics; the period may not lie in the future. Changes go to the project's history.",
			Params:      operationsPath{}, Body: domain.OperationsInput{}, Out: domain.ProjectOperations{}, Errors: []int{http.StatusConflict}, Handler: s.putOperations},
		{Method: http.MethodGet, Path: v1 + "/operations", Obj: "stats", Act: "read",
			Summary: "Landed projects' operations of a year ranked (项目质量): by tax per 亩 (sort=tax_per_mu, default) or by investment completed against plan (sort=completed_share), optionally for one chain",
			Query:   operationsQuery{}, Out: operationsRanking{}, Handler: s.rankOperations},
	}
}

// indicatorPath names the month of a record.
type indicatorPath struct {
	Month string `path:"month" pattern:"^[0-9]{4}-[0-9]{2}$" description:"YYYY-MM, e.g. 2022-10"`
}

// operationsPath names a project and a period.
type operationsPath struct {
	ID     int64  `path:"id" minimum:"1"`
	Period string `path:"period" pattern:"^[0-9]{4}(-Q[1-4]|-[0-9]{2})?$" description:"YYYY, YYYY-Qn or YYYY-MM"`
}

// indicatorYear is a year's months.
type indicatorYear struct {
	Year   int                       `json:"year"`
	Months []*domain.MonthIndicators `json:"months"`
}

type operationsQuery struct {
	yearQuery
	Chain string `query:"chain" description:"a chain code"`
	Sort  string `query:"sort" enum:"tax_per_mu,completed_share" default:"tax_per_mu" description:"tax_per_mu (亩均税收, default) or completed_share (完成投资 ÷ 计划投资)"`
}

// operationsRanking is a year's ranked projects.
type operationsRanking struct {
	Year  int                     `json:"year"`
	Sort  string                  `json:"sort"`
	Items []*domain.OperationsRow `json:"items"`
	Total int                     `json:"total"`
}

// decodeNullable is decodeJSON for bodies whose null means "not reported": a field sent as
// null (or left out) stays a nil pointer instead of a pointer to zero.
func decodeNullable(c *gin.Context, dst any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return domain.Errorf(domain.ETOOLARGE, "请求内容过大（上限 %d 字节）(request too large)", mbe.Limit)
		}
		return domain.Errorf(domain.EINVALID, "无法读取请求内容 (unreadable body)")
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	if err := decodeJSON(c, dst); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		return nil
	}
	v := reflect.ValueOf(dst).Elem()
	for name, idx := range jsonFields(v.Type()) {
		if msg, ok := raw[name]; ok && string(bytes.TrimSpace(msg)) == "null" {
			if fv := v.FieldByIndex(idx); fv.Kind() == reflect.Pointer {
				fv.Set(reflect.Zero(fv.Type()))
			}
		}
	}
	return nil
}

func monthParam(c *gin.Context) (domain.Month, bool) {
	m, err := domain.ParseMonth(c.Param("month"))
	if err != nil {
		Abort(c, &domain.Error{Code: domain.EINVALID, Message: "月份无效 (invalid month)", Fields: map[string]string{"month": err.Error()}})
		return m, false
	}
	return m, true
}

func (s *Server) listIndicators(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	months, err := s.svc.Indicators.FindYear(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, indicatorYear{Year: year, Months: months})
}

func (s *Server) putIndicators(c *gin.Context) {
	m, ok := monthParam(c)
	if !ok {
		return
	}
	var in domain.IndicatorFigures
	if err := decodeNullable(c, &in); err != nil {
		Abort(c, err)
		return
	}
	out, err := s.svc.Indicators.PutMonth(c.Request.Context(), m, in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) indicatorHistory(c *gin.Context) {
	m, ok := monthParam(c)
	if !ok {
		return
	}
	items, err := s.svc.Indicators.MonthHistory(c.Request.Context(), m)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, itemList[*domain.IndicatorChange]{Items: items, Total: len(items)})
}

func (s *Server) listOperations(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	out, err := s.svc.Operations.FindOperations(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) putOperations(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	p, err := domain.ParsePeriod(c.Param("period"))
	if err != nil {
		Abort(c, &domain.Error{Code: domain.EINVALID, Message: "期间无效 (invalid period)", Fields: map[string]string{"period": err.Error()}})
		return
	}
	var in domain.OperationsInput
	if err := decodeNullable(c, &in); err != nil {
		Abort(c, err)
		return
	}
	out, err := s.svc.Operations.PutOperations(c.Request.Context(), id, p, in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) rankOperations(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	sortBy := c.DefaultQuery("sort", "tax_per_mu")
	if sortBy != "tax_per_mu" && sortBy != "completed_share" {
		Abort(c, &domain.Error{Code: domain.EINVALID, Message: "sort 应为 tax_per_mu 或 completed_share",
			Fields: map[string]string{"sort": "应为 tax_per_mu 或 completed_share (tax_per_mu or completed_share)"}})
		return
	}
	items, err := s.svc.Operations.YearOperations(c.Request.Context(), year, strings.TrimSpace(c.Query("chain")))
	if err != nil {
		Abort(c, err)
		return
	}
	key := func(r *domain.OperationsRow) (float64, bool) {
		if sortBy == "completed_share" {
			if r.CompletedShare == nil {
				return 0, false
			}
			return *r.CompletedShare, true
		}
		if r.TaxPerMu == nil {
			return 0, false
		}
		return float64(*r.TaxPerMu), true
	}
	// known values first, largest first; unknown ones last, by name
	sort.SliceStable(items, func(i, j int) bool {
		a, aok := key(items[i])
		b, bok := key(items[j])
		if aok != bok {
			return aok
		}
		if a != b {
			return a > b
		}
		return items[i].Name < items[j].Name
	})
	c.JSON(http.StatusOK, operationsRanking{Year: year, Sort: sortBy, Items: items, Total: len(items)})
}
