package chainmap

import (
	"testing"

	"github.com/laiyuan-edz/chaincrm/domain"
)

func TestDemoNodes(t *testing.T) {
	for _, code := range []string{"food", "mining", "semiconductor"} {
		t.Run(code, func(t *testing.T) {
			nodes := DemoNodes[code]
			if n := len(nodes); n < 10 || n > 16 {
				t.Errorf("%d nodes, want 10–16", n)
			}
			keys, names := map[string]DemoNode{}, map[string]bool{}
			nestedIn := map[string]bool{}
			for _, n := range nodes {
				if n.Key == "" || n.Name == "" {
					t.Errorf("empty key or name: %+v", n)
				}
				if _, dup := keys[n.Key]; dup {
					t.Errorf("duplicate key %q", n.Key)
				}
				if names[n.Name] {
					t.Errorf("duplicate name %q", n.Name)
				}
				if !domain.Segment(n.Segment).Valid() {
					t.Errorf("%s: segment %q", n.Key, n.Segment)
				}
				if n.Parent != "" {
					p, ok := keys[n.Parent]
					if !ok {
						t.Errorf("%s: parent %q unknown or listed after its child", n.Key, n.Parent)
					} else if p.Segment != n.Segment {
						t.Errorf("%s: parent in another segment", n.Key)
					}
					nestedIn[n.Segment] = true
				}
				if len([]rune(n.Name)) > 24 {
					t.Errorf("%s: name %q is not concise", n.Key, n.Name)
				}
				keys[n.Key], names[n.Name] = n, true
			}
			for _, s := range domain.Segments {
				if !nestedIn[string(s)] {
					t.Errorf("no nesting in %s", s)
				}
			}
		})
	}
	want := map[string][]string{
		"food":          {"屠宰与肉类加工", "中央厨房与预制菜", "冷链物流", "肉牛/生猪养殖"},
		"mining":        {"地质勘探", "选矿", "尾矿综合利用", "防水建材", "绿色建材", "装配式建筑"},
		"semiconductor": {"高纯碳化硅粉料", "碳化硅单晶衬底", "外延片", "光伏逆变器", "光伏组件"},
	}
	for code, list := range want {
		have := map[string]bool{}
		for _, n := range DemoNodes[code] {
			have[n.Name] = true
		}
		for _, name := range list {
			if !have[name] {
				t.Errorf("%s lacks %q", code, name)
			}
		}
	}
}
