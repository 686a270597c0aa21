package jobs

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// The DingTalk signature for a fixed time and secret, computed independently:
// printf '1700000000000\nSECtest' | openssl dgst -sha256 -hmac SECtest -binary | base64
func TestSignDingTalk(t *testing.T) {
	got := SignDingTalk("https://oapi.dingtalk.com/robot/send?access_token=x", "SECtest", time.UnixMilli(1700000000000))
	want := "https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1700000000000&sign=" + signVector
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestRobotBackoff(t *testing.T) {
	o := RobotOptions{}.withDefaults()
	if d := robotBackoff(o, 1); d > 10*time.Minute || d <= 0 {
		t.Errorf("first retry after %v", d)
	}
	for a := 1; a <= 30; a++ {
		if d := robotBackoff(o, a); d > time.Hour {
			t.Errorf("attempt %d: %v", a, d)
		}
	}
	if d := robotBackoff(o, 12); d != time.Hour {
		t.Errorf("cap: %v", d)
	}
}

func TestRenderRobot(t *testing.T) {
	n := &domain.RobotNote{Title: "待决策：项目", Markdown: "**项目** 已进入落地决策\n\n> 投资主体：甲", Link: "/projects/1"}
	var w map[string]any
	b, _ := RenderRobot(domain.RobotWeCom, n, "https://crm.example.cn/")
	json.Unmarshal(b, &w)
	if w["msgtype"] != "markdown" || !strings.Contains(w["markdown"].(map[string]any)["content"].(string), "(https://crm.example.cn/projects/1)") {
		t.Errorf("wecom markdown: %s", b)
	}
	n.Mobiles = []string{"13800000001"}
	b, _ = RenderRobot(domain.RobotWeCom, n, "")
	json.Unmarshal(b, &w)
	text := w["text"].(map[string]any)
	if w["msgtype"] != "text" || strings.Contains(text["content"].(string), "**") || len(text["mentioned_mobile_list"].([]any)) != 1 {
		t.Errorf("wecom text: %s", b)
	}
	b, _ = RenderRobot(domain.RobotDingTalk, n, "")
	var d struct {
		Msgtype  string
		Markdown struct{ Title, Text string }
		At       struct {
			AtMobiles []string
			IsAtAll   bool
		}
	}
	json.Unmarshal(b, &d)
	if d.Msgtype != "markdown" || d.Markdown.Title != n.Title || !strings.HasSuffix(d.Markdown.Text, "@13800000001") || len(d.At.AtMobiles) != 1 {
		t.Errorf("dingtalk: %s", b)
	}
	long := &domain.RobotNote{Title: "长", Markdown: strings.Repeat("招商", 3000)}
	b, _ = RenderRobot(domain.RobotWeCom, long, "")
	json.Unmarshal(b, &w)
	if c := w["markdown"].(map[string]any)["content"].(string); len(c) > 4096 || !strings.HasSuffix(c, "…") {
		t.Errorf("not clipped: %d bytes", len(c))
	}
	if _, err := RenderRobot("feishu", n, ""); err == nil {
		t.Error("unknown kind rendered")
	}
}

// signVector is url.QueryEscape("aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=").
const signVector = "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g%3D"
