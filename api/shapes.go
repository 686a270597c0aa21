package api

import (
	"github.com/laiyuan-edz/chaincrm/domain"
)

// The shapes shared by many routes: list envelopes and the common query parameters. The
// route table names them (Out, Query) and the handlers encode them, so the OpenAPI document
// describes exactly what is sent.

// page is the contract's paged list envelope.
type page[T any] struct {
	Items    []T `json:"items"`
	Total    int `json:"total"`
	Page     int `json:"page"`
	PageSize int `json:"page_size"`
}

// itemList is the envelope of the unpaged lists.
type itemList[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// listOf wraps v (never null in JSON).
func listOf[T any](v []T) itemList[T] {
	if v == nil {
		v = []T{}
	}
	return itemList[T]{Items: v, Total: len(v)}
}

// pageQuery is the paging of a list.
type pageQuery struct {
	Page     int `query:"page" minimum:"1" default:"1" description:"page number, from 1"`
	PageSize int `query:"page_size" minimum:"1" maximum:"200" description:"items per page, at most 200 (default 20)"`
}

// yearQuery picks the year of figures or lists; the zone's current year when absent.
type yearQuery struct {
	Year int `query:"year" minimum:"1900" maximum:"2200" description:"a year such as 2022; this year by default"`
}

// projectFilters are the project list's filters (the list, the board and the exports).
type projectFilters struct {
	Channel    domain.Channel     `query:"channel" description:"招商渠道"`
	Stage      domain.Stage       `query:"stage" description:"阶段"`
	Chain      string             `query:"chain" maxLength:"50" description:"a chain code"`
	Owner      string             `query:"owner" maxLength:"200" description:"the owner's username"`
	Q          string             `query:"q" maxLength:"200" description:"words of the name or the investor"`
	DockedFrom string             `query:"docked_from" format:"date" description:"docked on or after (YYYY-MM-DD)"`
	DockedTo   string             `query:"docked_to" format:"date" description:"docked on or before (YYYY-MM-DD)"`
	SignedFrom string             `query:"signed_from" format:"date" description:"signed on or after (YYYY-MM-DD)"`
	SignedTo   string             `query:"signed_to" format:"date" description:"signed on or before (YYYY-MM-DD)"`
	AssetType  domain.AssetType   `query:"asset_type"`
	CampaignID int64              `query:"campaign_id" description:"docked at this trip or conference"`
	NodeID     int64              `query:"node_id" description:"linked to this chain node"`
	Stale      domain.StaleColour `query:"stale" description:"open projects by days without progress"`
	Cleanup    bool               `query:"cleanup" description:"true: open projects without progress for 180 days"`
	Deleted    bool               `query:"deleted" description:"true: soft-deleted projects too (administrators)"`
}

// projectListQuery is GET /projects: the filters, the order and the paging.
type projectListQuery struct {
	projectFilters
	Sort string `query:"sort" enum:"docked_at,-docked_at,planned_investment,-planned_investment,days_in_stage,-days_in_stage,name,-name" description:"the list's order: a column, ascending, or with a leading - descending (ties by id; days_in_stage is the stage entry time, latest first); -docked_at (newest docking first) by default"`
	pageQuery
}
