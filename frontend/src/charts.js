// ECharts, only the parts the app draws: pies, funnels, bars, the chain graph.
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { PieChart, FunnelChart, BarChart, GraphChart } from 'echarts/charts'
import { TooltipComponent, LegendComponent, GridComponent, TitleComponent, GraphicComponent } from 'echarts/components'
import VChart from 'vue-echarts'

use([CanvasRenderer, PieChart, FunnelChart, BarChart, GraphChart, TooltipComponent, LegendComponent, GridComponent, TitleComponent, GraphicComponent])

export default VChart
