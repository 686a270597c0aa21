package spreadsheet

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// templateRows is how far down the template's drop-down lists and formats reach.
const templateRows = 5000

// WriteTemplate writes the import template: the Chinese headers (each with a comment giving
// the English name and what to type), one example row, drop-down lists for channel, chain,
// asset type and stage, date and amount formats, column widths for Chinese text and a frozen
// header row; a second sheet explains every column. ParseProjects reads it as it is.
func WriteTemplate(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "招商项目"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	required, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "C00000"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"},
		Border:    []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}},
	})
	if err != nil {
		return err
	}

	// Column formats, so that typed dates and amounts show as such.
	// First: SetColStyle restyles the cells already in the column and resets its width.
	for f1, style := range map[field]int{fDocked: st.date, fSigned: st.date, fPlanned: st.wanDec, fLand: st.muDec} {
		col := colName(int(f1))
		if err := f.SetColStyle(sheet, col, style); err != nil {
			return err
		}
	}

	for i, c := range columns {
		name := colName(i)
		cell := name + "1"
		style := st.header
		if c.required {
			style = required
		}
		steps := []error{
			f.SetCellStr(sheet, cell, c.zh),
			f.SetCellStyle(sheet, cell, cell, style),
			f.SetColWidth(sheet, name, name, c.width),
			f.AddComment(sheet, excelize.Comment{Author: "chaincrm", Cell: cell,
				Text: fmt.Sprintf("%s（%s）\n%s", c.key, requiredText(c.required), c.hint)}),
		}
		if err := firstErr(steps...); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(sheet, 1, 22); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, frozenHeader()); err != nil {
		return err
	}

	lists := map[field][]string{
		fChannel:   labels(domain.Channels, domain.Channel.Label),
		fChain:     chainLabels(),
		fAssetType: labels(domain.AssetTypes, domain.AssetType.Label),
		fStage:     labels(domain.Stages, domain.Stage.Label),
	}
	for _, f1 := range []field{fChannel, fChain, fAssetType, fStage} {
		dv := excelize.NewDataValidation(true)
		col := colName(int(f1))
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, templateRows))
		if err := dv.SetDropList(lists[f1]); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, columns[f1].zh, "请从下拉列表中选择 (choose from the list)")
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return err
		}
	}
	for _, f1 := range []field{fPlanned, fLand} {
		dv := excelize.NewDataValidation(true)
		col := colName(int(f1))
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, templateRows))
		if err := dv.SetRange(0, 1e12, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, columns[f1].zh, "请填写不小于 0 的数字 (a number ≥ 0)")
		if err := f.AddDataValidation(sheet, dv); err != nil {
			return err
		}
	}

	example := exampleRow()
	for i, v := range example {
		if v == nil {
			continue
		}
		cell := fmt.Sprintf("%s2", colName(i))
		var err error
		switch v := v.(type) {
		case domain.Date:
			err = f.SetCellValue(sheet, cell, excelSerial(v))
		case domain.Money:
			err = f.SetCellValue(sheet, cell, float64(v)/1e4)
		case domain.Area:
			err = f.SetCellValue(sheet, cell, float64(v)/100)
		default:
			err = f.SetCellStr(sheet, cell, Guard(v.(string)))
		}
		if err != nil {
			return err
		}
	}

	if err := writeGuide(f); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// exampleRow is the template's one example, in column order.
func exampleRow() []any {
	row := make([]any, numFields)
	row[fName] = "年产10万吨食品深加工项目（示例）"
	row[fInvestor] = "示例食品科技有限公司"
	row[fCreditCode] = exampleCreditCode()
	row[fChannel] = domain.ChannelBusinessReferral.Label()
	row[fChain] = chainLabel("food")
	row[fAssetType] = domain.AssetHeavy.Label()
	row[fPlanned] = domain.Money(38000 * 10000)
	row[fLand] = domain.Area(120 * 100)
	row[fStage] = domain.StageLead.Label()
	row[fDocked] = domain.NewDate(2024, 1, 5)
	row[fNotes] = "示例行，导入前请删除 (example row: delete before importing)"
	return row
}

func exampleCreditCode() string {
	const prefix = "91130630MA0EXAMP1"
	return prefix + string(domain.CreditCodeCheckChar(prefix))
}

func writeGuide(f *excelize.File) error {
	const sheet = "填写说明"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	rows := [][]any{{"列名", "English", "是否必填", "填写要求"}}
	for _, c := range columns {
		rows = append(rows, []any{c.zh, c.key, requiredText(c.required), c.hint})
	}
	rows = append(rows,
		[]any{},
		[]any{"说明", "", "", "第一行为表头，列的顺序不限，也可使用英文列名；日期可写 2024-01-05、2024/1/5 或 2024年1月5日；金额可带千分位。项目名称和投资主体都相同的行视为同一项目：再次导入会更新，不会重复。任何一行有误时整个文件都不会导入，并列出所有错误。"},
	)
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return err
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	return firstErr(
		f.SetCellStyle(sheet, "A1", "D1", bold),
		f.SetColWidth(sheet, "A", "A", 18),
		f.SetColWidth(sheet, "B", "B", 24),
		f.SetColWidth(sheet, "C", "C", 10),
		f.SetColWidth(sheet, "D", "D", 70),
	)
}

func requiredText(required bool) string {
	if required {
		return "必填 required"
	}
	return "选填 optional"
}

func labels[T any](vs []T, label func(T) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = label(v)
	}
	return out
}

func chainLabels() []string {
	out := make([]string, len(chainNames))
	for i, c := range chainNames {
		out[i] = c.name
	}
	return out
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
