// ECharts, only the parts the app draws: pies, funnels, bars, lines (经济指标), the chain graph, and the aria
// component (each chart's description for screen readers).
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { PieChart, FunnelChart, BarChart, GraphChart, LineChart } from 'echarts/charts'
import { TooltipComponent, LegendComponent, GridComponent, TitleComponent, GraphicComponent, AriaComponent } from 'echarts/components'
import VChart from 'vue-echarts'

use([CanvasRenderer, PieChart, FunnelChart, BarChart, GraphChart, LineChart, TooltipComponent, LegendComponent, GridComponent, TitleComponent, GraphicComponent, AriaComponent])

export default VChart
