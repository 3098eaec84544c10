package i18n

// The weekly chart's texts: the title names the area, the number of weeks
// and the last day they cover; the axes say what the weeks' labels are
// and what the bars count.
var chartTexts = map[string]map[string]string{
	"vi": {
		"chart.title":   "%s · %d tuần đến %s",
		"chart.weeks":   "Tuần bắt đầu thứ Hai",
		"chart.reports": "Số báo cáo",
	},
	"en": {
		"chart.title":   "%s · %d weeks to %s",
		"chart.weeks":   "Week beginning Monday",
		"chart.reports": "Reports",
	},
}

func init() {
	for lang, texts := range chartTexts {
		for k, v := range texts {
			catalogs[lang][k] = v
		}
	}
}
