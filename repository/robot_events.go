package repository

import (
	"context"
	"fmt"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The robot events the repository's own services raise inside their transactions.

// chainChiefs are the chain's chiefs' user ids.
func (db *DB) chainChiefs(ctx context.Context, chainID *int64) ([]int64, error) {
	if chainID == nil {
		return nil, nil
	}
	var ids []int64
	err := db.conn(ctx).Table("chain_chiefs").Where("chain_id = ?", *chainID).Order("user_id").Pluck("user_id", &ids)
	return ids, err.Error
}

// userNames are display names (or usernames) by id.
func (db *DB) userNames(ctx context.Context, ids []int64) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var us []userRow
	if err := db.conn(ctx).Where("id IN ?", ids).Order("id").Find(&us).Error; err != nil {
		return nil, err
	}
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.DisplayName
		if out[i] == "" {
			out[i] = u.Username
		}
	}
	return out, nil
}

// chainName is the chain's name ("" without one).
func (db *DB) chainName(ctx context.Context, chainID *int64) (string, error) {
	if chainID == nil {
		return "", nil
	}
	var names []string
	err := db.conn(ctx).Model(&chainRow{}).Where("id = ?", *chainID).Pluck("name", &names).Error
	if len(names) == 0 {
		return "", err
	}
	return names[0], err
}

// robotMoney shows 万元 without trailing zeros.
func robotMoney(m domain.Money) string {
	s := m.Wan()
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + "万元"
}

// publishDecisionWaiting tells the chain's groups that p entered 落地决策, @ its chiefs.
func (db *DB) publishDecisionWaiting(ctx context.Context, p *domain.Project, actor string) error {
	chiefs, err := db.chainChiefs(ctx, p.ChainID)
	if err != nil {
		return err
	}
	names, err := db.userNames(ctx, chiefs)
	if err != nil {
		return err
	}
	chain, err := db.chainName(ctx, p.ChainID)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** 已进入落地决策，等待决策。\n\n", p.Name)
	fmt.Fprintf(&b, "> 投资主体：%s\n\n", p.Investor)
	if chain != "" {
		fmt.Fprintf(&b, "> 产业链：%s\n\n", chain)
	}
	fmt.Fprintf(&b, "> 计划投资：%s\n\n", robotMoney(p.PlannedInvestment))
	fmt.Fprintf(&b, "> 推进人：%s\n\n", actor)
	if len(names) > 0 {
		fmt.Fprintf(&b, "请链长 %s 尽快决策。", strings.Join(names, "、"))
	} else {
		b.WriteString("请尽快决策。")
	}
	now := db.now()
	_, err = db.publishRobotEvent(ctx, &domain.RobotEvent{ZoneID: p.ZoneID, Event: domain.RobotEventDecisionWaiting,
		Key:     fmt.Sprintf("decision_waiting:project:%d:%s", p.ID, now.Format("20060102T150405.000000000")),
		ChainID: p.ChainID, Title: "待决策：" + p.Name, Markdown: b.String(), Link: fmt.Sprintf("/projects/%d", p.ID),
		MentionUserIDs: chiefs})
	return err
}

// publishSupervision tells the project's groups that a 督办 was opened, @ the owner.
func (db *DB) publishSupervision(ctx context.Context, p *domain.Project, supervisionID int64, issuer string, in domain.SupervisionInput) error {
	owner, err := db.userNames(ctx, []int64{p.OwnerID})
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s 对 **%s** 下达督办：\n\n> %s\n\n", issuer, p.Name, in.Instruction)
	fmt.Fprintf(&b, "办理期限：%s\n\n", in.Due.String())
	if len(owner) == 1 {
		fmt.Fprintf(&b, "请项目负责人 %s 按期办理并回复。", owner[0])
	}
	_, err = db.publishRobotEvent(ctx, &domain.RobotEvent{ZoneID: p.ZoneID, Event: domain.RobotEventSupervision,
		Key: fmt.Sprintf("supervision:%d:opened", supervisionID), ChainID: p.ChainID, Title: "督办：" + p.Name,
		Markdown: b.String(), Link: fmt.Sprintf("/projects/%d", p.ID), MentionUserIDs: []int64{p.OwnerID}})
	return err
}
