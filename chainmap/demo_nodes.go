package chainmap

// DemoNode is one link of a demo chain, as data for the seeder. Key is unique within its
// chain and stable across releases (the seeder can use it to stay idempotent); Parent is
// another Key of the same chain or "". Segment is upstream, midstream or downstream.
// The order of a chain's slice is its display order (sort_order), parents before children.
type DemoNode struct {
	Key     string
	Name    string
	Segment string
	Parent  string
}

// DemoNodes are the node trees of the demo zone's three chains (seed 三(四)2: 现代食品、
// 矿业、第三代半导体), drawn from the 2022 summary: 桃木疙瘩屠宰厂 and 千喜鹤中央厨房 in
// food; 誉柯防水建材, 乾城绿色建材 and 中材绿建 in mining's building materials; 同光晶体's
// substrates and epitaxy, 驷乾新能源 and 国科智能 photovoltaic modules in semiconductor.
// The seeder links the named enterprises to these nodes; nodes nobody covers are the gaps
// the map is meant to show.
var DemoNodes = map[string][]DemoNode{
	"food": {
		// 上游：种植与养殖
		{Key: "food-farming", Name: "种植养殖", Segment: "upstream"},
		{Key: "food-cattle-pig", Name: "肉牛/生猪养殖", Segment: "upstream", Parent: "food-farming"},
		{Key: "food-produce", Name: "特色农产品种植", Segment: "upstream", Parent: "food-farming"},
		{Key: "food-feed", Name: "饲料加工", Segment: "upstream"},
		// 中游：屠宰、精深加工、中央厨房
		{Key: "food-slaughter", Name: "屠宰与肉类加工", Segment: "midstream"}, // 桃木疙瘩屠宰厂
		{Key: "food-cut-meat", Name: "冷鲜肉分割", Segment: "midstream", Parent: "food-slaughter"},
		{Key: "food-byproducts", Name: "副产品综合利用", Segment: "midstream", Parent: "food-slaughter"},
		{Key: "food-processing", Name: "食品精深加工", Segment: "midstream"},
		{Key: "food-central-kitchen", Name: "中央厨房与预制菜", Segment: "midstream"}, // 千喜鹤
		{Key: "food-packaging", Name: "食品包装", Segment: "midstream", Parent: "food-central-kitchen"},
		// 下游：冷链、零售、电商
		{Key: "food-cold-chain", Name: "冷链物流", Segment: "downstream"},
		{Key: "food-cold-storage", Name: "冷库仓储", Segment: "downstream", Parent: "food-cold-chain"},
		{Key: "food-retail", Name: "商超零售与团餐配送", Segment: "downstream"},
		{Key: "food-ecommerce", Name: "电商销售", Segment: "downstream"},
	},
	"mining": {
		// 上游：勘探与开采
		{Key: "mining-exploration", Name: "地质勘探", Segment: "upstream"},
		{Key: "mining-extraction", Name: "采矿", Segment: "upstream"},
		{Key: "mining-iron-ore", Name: "铁矿开采", Segment: "upstream", Parent: "mining-extraction"},
		{Key: "mining-nonmetal", Name: "非金属矿开采", Segment: "upstream", Parent: "mining-extraction"},
		// 中游：选矿、冶炼、尾矿
		{Key: "mining-beneficiation", Name: "选矿", Segment: "midstream"},
		{Key: "mining-smelting", Name: "冶炼/铁精粉", Segment: "midstream"},
		{Key: "mining-tailings", Name: "尾矿综合利用", Segment: "midstream"},
		{Key: "mining-tailings-sand", Name: "尾矿制砂", Segment: "midstream", Parent: "mining-tailings"},
		// 下游：建材、骨料、装备
		{Key: "mining-building-materials", Name: "新型建材", Segment: "downstream"},
		{Key: "mining-waterproof", Name: "防水建材", Segment: "downstream", Parent: "mining-building-materials"},      // 誉柯
		{Key: "mining-green-materials", Name: "绿色建材", Segment: "downstream", Parent: "mining-building-materials"}, // 乾城
		{Key: "mining-prefab", Name: "装配式建筑", Segment: "downstream", Parent: "mining-building-materials"},         // 中材绿建
		{Key: "mining-aggregate", Name: "砂石骨料", Segment: "downstream"},
		{Key: "mining-equipment", Name: "矿山装备", Segment: "downstream"},
	},
	"semiconductor": {
		// 上游：材料与设备
		{Key: "semi-sic-powder", Name: "高纯碳化硅粉料", Segment: "upstream"},
		{Key: "semi-si-c-raw", Name: "高纯硅粉与碳粉", Segment: "upstream", Parent: "semi-sic-powder"},
		{Key: "semi-graphite", Name: "石墨热场与耗材", Segment: "upstream"},
		{Key: "semi-crystal-furnace", Name: "晶体生长设备", Segment: "upstream"},
		// 中游：衬底 → 外延 → 器件 → 封装
		{Key: "semi-substrate", Name: "碳化硅单晶衬底", Segment: "midstream"}, // 同光晶体
		{Key: "semi-wafer-processing", Name: "切磨抛加工", Segment: "midstream", Parent: "semi-substrate"},
		{Key: "semi-epitaxy", Name: "外延片", Segment: "midstream"},
		{Key: "semi-power-devices", Name: "功率器件(SiC MOSFET/SBD)", Segment: "midstream"},
		{Key: "semi-module-packaging", Name: "模块封装", Segment: "midstream", Parent: "semi-power-devices"},
		// 下游：应用
		{Key: "semi-ev-drive", Name: "新能源汽车电驱", Segment: "downstream"},
		{Key: "semi-pv-inverter", Name: "光伏逆变器", Segment: "downstream"},
		{Key: "semi-pv-modules", Name: "光伏组件", Segment: "downstream", Parent: "semi-pv-inverter"}, // 驷乾新能源、国科智能
		{Key: "semi-storage-charging", Name: "储能与充电桩", Segment: "downstream"},
		{Key: "semi-rf-5g", Name: "5G射频", Segment: "downstream"},
	},
}
