package api

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/api/spreadsheet"
	"github.com/laiyuan-edz/chaincrm/chainmap"
	"github.com/laiyuan-edz/chaincrm/domain"
)

func (s *Server) listChains(c *gin.Context) {
	chains, err := s.svc.Chains.FindChains(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, chains)
}

// buildMap loads and builds a chain's map within the caller's scope, or finds it in the
// map cache when nothing it is built from has changed since. A chain chief sees the maps
// of their own chains only; zone-wide roles see every chain.
func (s *Server) buildMap(c *gin.Context) (*cachedMap, bool) {
	ctx := c.Request.Context()
	chain, err := s.svc.Chains.FindChainByCode(ctx, c.Param("code"))
	if err != nil {
		Abort(c, err)
		return nil, false
	}
	scope := domain.ScopeOf(domain.ActorFrom(ctx))
	if !scope.All {
		mine := false
		for _, id := range scope.ChainIDs {
			mine = mine || id == chain.ID
		}
		if !mine {
			Abort(c, domain.NotFound("产业链"))
			return nil, false
		}
	}
	var key, stamp string
	if st, ok := s.svc.Maps.(MapStamper); ok {
		// The stamp is read before the map's data, so a change committed in between
		// leaves a newer stamp behind and the entry is rebuilt next time.
		if stamp, err = st.MapStamp(ctx); err != nil {
			Abort(c, err)
			return nil, false
		}
		if key, err = mapCacheKey(chain, scope); err != nil {
			Abort(c, err)
			return nil, false
		}
		if e := s.maps.get(key, stamp); e != nil {
			return e, true
		}
	}
	in, err := s.svc.Maps.MapInput(ctx, chain)
	if err != nil {
		Abort(c, err)
		return nil, false
	}
	m := chainmap.Build(in, s.opts.Thresholds)
	if key == "" {
		return &cachedMap{m: m}, true
	}
	return s.maps.put(key, stamp, m), true
}

func (s *Server) chainMap(c *gin.Context) {
	e, ok := s.buildMap(c)
	if !ok {
		return
	}
	b, err := e.JSON() // the same bytes as json.Marshal, half the CPU on big chains
	if err != nil {
		Abort(c, err)
		return
	}
	b.write(c, http.StatusOK, "application/json; charset=utf-8")
}

// svgQuery: ?download=1 sends the SVG as a file to save.
type svgQuery struct {
	Download string `query:"download" enum:"1" description:"1: as a download (Content-Disposition attachment)"`
}

func (s *Server) chainMapSVG(c *gin.Context) {
	e, ok := s.buildMap(c)
	if !ok {
		return
	}
	if c.Query("download") == "1" {
		c.Header("Content-Disposition", spreadsheet.ContentDisposition(e.m.Chain.Name+"产业链招商地图.svg"))
	}
	c.Data(http.StatusOK, "image/svg+xml; charset=utf-8", e.SVG())
}

func (s *Server) chainTargetsXLSX(c *gin.Context) {
	e, ok := s.buildMap(c)
	if !ok {
		return
	}
	m := e.m
	var buf bytes.Buffer
	if err := chainmap.WriteTargetsXLSX(&buf, m); err != nil {
		Abort(c, err)
		return
	}
	c.Header("Content-Disposition", spreadsheet.ContentDisposition(m.Chain.Name+"产业链招商目标清单.xlsx"))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

func (s *Server) listCampaigns(c *gin.Context) {
	year := 0
	if v := c.Query("year"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1900 || n > 2200 {
			Abort(c, &domain.Error{Code: domain.EINVALID, Message: "年份无效", Fields: map[string]string{"year": "应为四位年份 (a year)"}})
			return
		}
		year = n
	}
	items, err := s.svc.Campaigns.FindCampaigns(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(items))
}

func (s *Server) createCampaign(c *gin.Context) {
	var cp domain.Campaign
	if err := decodeJSON(c, &cp); err != nil {
		Abort(c, err)
		return
	}
	if err := s.svc.Campaigns.CreateCampaign(c.Request.Context(), &cp); err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, cp)
}
