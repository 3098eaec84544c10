package scalegen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/totuquan/totuquan/bot"
)

// weighted is a value drawn with its weight.
type weighted struct {
	v string
	w int
}

func pickW(ws []weighted, rng *rand.Rand) string {
	total := 0
	for _, x := range ws {
		total += x.w
	}
	n := rng.IntN(total)
	for _, x := range ws {
		if n < x.w {
			return x.v
		}
		n -= x.w
	}
	return ws[len(ws)-1].v
}

// The answers' values, as the flows store them (flows/flow.go), drawn
// about as often as communes see them.
var (
	categories = []weighted{{"theft", 20}, {"traffic", 12}, {"fight", 10}, {"urban_order", 8}, {"suspicious", 8},
		{"residence", 6}, {"fraud", 6}, {"gambling", 5}, {"drugs", 4}, {"domestic_violence", 4}, {"fire", 3},
		{"loan_shark", 3}, {"lost_person", 2}, {"robbery", 2}, {"prostitution", 1}, {"other", 6}}
	handlings = []weighted{{"on_site", 35}, {"police", 35}, {"referred", 10}, {"none", 20}}
	caseTypes = []weighted{{"neighbour", 35}, {bot.CaseCivil, 25}, {bot.CaseFamily, 25}, {"minor_violation", 8},
		{bot.CaseOther, 2}, {bot.CaseNotMediable, 5}}
	openings = []weighted{{bot.StatusReceived, 50}, {bot.StatusInProgress, 30}, {bot.StatusSuccess, 15},
		{bot.StatusFailed, 3}, {bot.StatusReferred, 2}}
	closings = []weighted{{bot.StatusSuccess, 75}, {bot.StatusFailed, 17}, {bot.StatusReferred, 8}}
	votes    = []weighted{{"agree", 90}, {"disagree", 3}, {"other", 7}}
)

// Options of the multiple-choice steps, in the flows' order.
var (
	guestOptions = []string{"police", "mttq", "ubnd", "other"}
	topicOptions = []string{"security", "mediation", "legal", "patrol", "fire", "sanitation", "fundraising", "other"}
)

var (
	family = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Hà", "Lương", "Tạ"}
	middle = []string{"Văn", "Thị", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Hữu", "Xuân", "Thu", "Kim", "Công", "Thị Thu", "Văn Hải"}
	given  = []string{"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long",
		"Mai", "Minh", "Nam", "Nga", "Nhung", "Phong", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Trung", "Tuấn", "Vân", "Yến", "Hiền", "Lộc", "Toàn"}
	places1 = []string{"Tân", "Thanh", "Yên", "Hạ", "Phú", "Đồng", "Cẩm", "Lâm", "Sơn", "Hưng", "Vĩnh", "Thượng", "Minh", "Xuân", "Trung", "Bình", "Hợp", "Kim", "Quang", "Văn"}
	places2 = []string{"Lạc", "Sơn", "Lập", "Hòa", "Thịnh", "Xuân", "Khê", "Thao", "Thủy", "Lương", "Phong", "Tiến", "Hà", "Nông", "An", "Đức", "Cương", "Lĩnh", "Mỹ", "Long"}
	hamlets = []string{"Bãi", "Đồng", "Chùa", "Giữa", "Trên", "Dưới", "Mới", "Đình", "Cầu", "Ao Sen", "Gò", "Soi", "Ngọc", "Hạ", "Thượng", "Đông", "Tây", "Nam", "Bắc", "Me"}
)

func placeName(i int) string {
	n := places1[i%len(places1)] + " " + places2[(i/len(places1)+i*7)%len(places2)]
	if i >= len(places1)*len(places2) {
		n += " " + strconv.Itoa(i/(len(places1)*len(places2))+1)
	}
	return n
}

func villageName(i, v int) string {
	kind := []string{"Thôn ", "Xóm ", "Khu ", "Thôn "}[v%4]
	if v == 2 {
		return kind + strconv.Itoa(i%9+1)
	}
	return kind + hamlets[(i*3+v)%len(hamlets)]
}

type names struct{ rng *rand.Rand }

func newNames(rng *rand.Rand) names { return names{rng} }

func (n names) person() string {
	r := n.rng
	return family[r.IntN(len(family))] + " " + middle[r.IntN(len(middle))] + " " + given[r.IntN(len(given))]
}

// answerer draws one report's answers.
type answerer struct {
	rng     *rand.Rand
	at      time.Time // when it is sent, local time
	group   bot.Area
	village bot.Area
}

func (a answerer) name() string { return names{a.rng}.person() }

func (a answerer) sentence(pool []string) string { return pool[a.rng.IntN(len(pool))] }

// text joins from 1 to n sentences of pool.
func (a answerer) text(pool []string, n int) string {
	k := 1 + a.rng.IntN(n)
	parts := make([]string, k)
	for i := range parts {
		parts[i] = a.sentence(pool)
	}
	return strings.Join(parts, " ")
}

// day is the date, some days before it was sent.
func (a answerer) day(upTo int) string {
	return a.at.AddDate(0, 0, -a.rng.IntN(upTo+1)).Format(time.DateOnly)
}

// clock is a time of day before the report was sent when on its day.
func (a answerer) clock(date string) string {
	h, m := 6+a.rng.IntN(16), a.rng.IntN(12)*5
	if date == a.at.Format(time.DateOnly) && h*60+m > a.at.Hour()*60+a.at.Minute() {
		h, m = a.at.Hour(), a.at.Minute()/5*5
	}
	return fmt.Sprintf("%02d:%02d", h, m)
}

func (a answerer) photos(p, upTo int) string {
	if a.rng.IntN(100) >= p {
		return ""
	}
	ids := make([]string, 1+a.rng.IntN(upTo))
	for i := range ids {
		ids[i] = fmt.Sprintf("AgACAgUAAxkBAAI%08x%016x-%s", a.rng.Uint32(), a.rng.Uint64(), "BAADBQADqKcxG1Yk8Vb7dGRHZAAC")
	}
	return strings.Join(ids, ",")
}

func (a answerer) place() (place, pin string) {
	switch r := a.rng.IntN(10); {
	case r == 0:
		lat, lon := 21.2+a.rng.Float64()*0.5, 104.9+a.rng.Float64()*0.6
		pin = fmt.Sprintf("%.6f,%.6f", lat, lon)
		return "📍 " + strings.ReplaceAll(pin, ",", ", "), pin
	case r < 4:
		return fmt.Sprintf("Ngõ %d, %s", 1+a.rng.IntN(40), strings.ToLower(a.village.Name[:1])+a.village.Name[1:]), ""
	case r < 6:
		return "Trước nhà văn hóa " + strings.ToLower(a.village.Name[:1]) + a.village.Name[1:], ""
	case r < 8:
		return fmt.Sprintf("Nhà ông %s, số %d đường liên thôn", a.name(), 1+a.rng.IntN(200)), ""
	}
	return a.sentence([]string{"Chợ trung tâm xã", "Bãi đất trống gần trường tiểu học", "Đầu cầu tràn", "Ngã ba đường tỉnh lộ", "Khu vực bờ đê", "Quán nước đầu làng"}), ""
}

func (a answerer) incident() map[string]string {
	cat := pickW(categories, a.rng)
	ans := map[string]string{bot.KeyCategory: cat}
	ans[bot.KeyDate] = a.day(1)
	if a.rng.IntN(10) < 8 {
		ans["time"] = a.clock(ans[bot.KeyDate])
	}
	ans["place"], ans[bot.KeyLocation] = a.place()
	if ans[bot.KeyLocation] == "" {
		delete(ans, bot.KeyLocation)
	}
	pool := incidentTexts[cat]
	if pool == nil {
		pool = incidentTexts["other"]
	}
	ans["description"] = a.text(pool, 3)
	if a.rng.IntN(10) < 6 {
		ans["people"] = strconv.Itoa(a.rng.IntN(7))
	}
	ans["handling"] = pickW(handlings, a.rng)
	urgent := a.rng.IntN(100) < 3
	switch cat {
	case "robbery", "fire", "lost_person":
		urgent = a.rng.IntN(100) < 40
	case "fight", "drugs", "domestic_violence":
		urgent = a.rng.IntN(100) < 12
	}
	ans[bot.KeyUrgent] = map[bool]string{true: "yes", false: "no"}[urgent]
	if p := a.photos(30, 3); p != "" {
		ans["photos"] = p
	}
	return ans
}

func (a answerer) mediation() map[string]string {
	ans := map[string]string{"received": a.day(5)}
	mediators := make([]string, 1+a.rng.IntN(3))
	for i := range mediators {
		mediators[i] = a.name()
	}
	ans["mediators"] = strings.Join(mediators, ", ")
	ans["parties"] = fmt.Sprintf("Ông %s và bà %s, %s", a.name(), a.name(), strings.ToLower(a.village.Name[:1])+a.village.Name[1:])
	ct := pickW(caseTypes, a.rng)
	ans[bot.KeyCaseType] = ct
	ans["substance"] = a.text(mediationTexts[ct], 3)
	if ct == bot.CaseNotMediable {
		ans["refer"] = "yes"
	} else {
		ans[bot.KeyStatus] = pickW(openings, a.rng)
		if ans[bot.KeyStatus] == bot.StatusSuccess && a.rng.IntN(10) < 6 {
			ans["agreement"] = a.sentence(agreements)
		}
	}
	if a.rng.IntN(5) == 0 {
		ans["notes"] = a.sentence(caseNotes)
	}
	return ans
}

func (a answerer) meeting() map[string]string {
	ans := map[string]string{bot.KeyDate: a.day(3)}
	ans["time"] = []string{"19:30", "20:00", "19:00", "08:00", "14:00", "15:30"}[a.rng.IntN(6)]
	if ans[bot.KeyDate] == a.at.Format(time.DateOnly) {
		ans["time"] = a.clock(ans[bot.KeyDate])
	}
	ans["venue"] = []string{"Nhà văn hóa " + strings.ToLower(a.village.Name[:1]) + a.village.Name[1:], "Nhà ông " + a.name(), "Hội trường UBND xã", "Sân nhà văn hóa"}[a.rng.IntN(4)]
	if a.rng.IntN(10) < 7 {
		ans["chair"] = a.name()
	}
	if a.rng.IntN(10) < 6 {
		ans["secretary"] = a.name()
	}
	hh := max(1, a.group.Households)
	present := hh * (55 + a.rng.IntN(41)) / 100
	ans["present"] = strconv.Itoa(present)
	ans["absent"] = strconv.Itoa(a.rng.IntN(hh - present + 1))
	if a.rng.IntN(2) == 0 {
		ans["guests"] = a.subset(guestOptions, 2)
	}
	ans["topics"] = a.subset(topicOptions, 4)
	ans["conclusions"] = a.text(meetingTexts, 4)
	if a.rng.IntN(10) < 6 {
		ans["vote"] = pickW(votes, a.rng)
	}
	if a.rng.IntN(2) == 0 {
		ans["tasks"] = a.text(meetingTasks, 2)
	}
	if p := a.photos(40, 4); p != "" {
		ans["photos"] = p
	}
	return ans
}

// subset picks from 1 to n options, kept in the options' order as a
// multiple choice stores them.
func (a answerer) subset(options []string, n int) string {
	chosen := map[string]bool{}
	for range 1 + a.rng.IntN(n) {
		chosen[options[a.rng.IntN(len(options))]] = true
	}
	var out []string
	for _, o := range options {
		if chosen[o] {
			out = append(out, o)
		}
	}
	return strings.Join(out, ",")
}

var incidentTexts = map[string][]string{
	"theft": {"Mất trộm một xe máy Honda Wave màu đỏ đỗ trước cửa nhà trong đêm.", "Kẻ gian cắt khóa cổng, lấy đi hai bình gas và một bộ dụng cụ.",
		"Gia đình phát hiện mất 5 con gà trong chuồng vào sáng sớm.", "Một thanh niên lạ mặt bị nghi lấy trộm điện thoại của khách tại quán nước.",
		"Camera nhà bên ghi được hình ảnh hai người đi xe không biển số."},
	"traffic": {"Va chạm giữa xe máy và xe đạp điện tại ngã ba, một người bị xây xát nhẹ.", "Xe tải chở vật liệu làm rơi đất đá ra đường, gây trơn trượt.",
		"Hai xe máy va chạm khi trời mưa, các bên đã tự thỏa thuận.", "Ô tô đỗ lấn chiếm lòng đường gây ùn tắc giờ tan học."},
	"fight": {"Hai nhóm thanh niên xô xát sau khi uống rượu tại đám cưới.", "Cãi nhau vì tranh chấp lối đi dẫn đến ẩu đả, một người bị thương ở tay.",
		"Tổ đã can ngăn kịp thời, mời hai bên lên nhà văn hóa làm việc."},
	"urban_order": {"Hộ kinh doanh lấn chiếm vỉa hè bày bán hàng hóa.", "Đổ rác thải xây dựng ra bờ mương chung của thôn.",
		"Loa kẹo kéo hát karaoke quá 22 giờ gây ảnh hưởng các hộ xung quanh."},
	"suspicious": {"Có người lạ đi xe không biển số hỏi thăm nhà các hộ neo đơn.", "Một nhóm người lạ thuê trọ, thường xuyên tụ tập về khuya.",
		"Xe ô tô lạ đỗ nhiều giờ gần trường học, người trên xe quan sát cổng trường."},
	"residence":         {"Hai hộ có người ở trọ chưa khai báo tạm trú.", "Có người từ nơi khác đến ở quá 30 ngày chưa đăng ký tạm trú."},
	"fraud":             {"Người dân nhận cuộc gọi giả danh công an yêu cầu chuyển tiền.", "Một cụ bà bị lừa mua thực phẩm chức năng giá cao qua điện thoại.", "Tin nhắn giả mạo ngân hàng gửi đường link lạ tới nhiều hộ trong tổ."},
	"gambling":          {"Phát hiện nhóm người đánh bạc ăn tiền tại lán trông vịt ngoài đồng.", "Có dấu hiệu ghi lô đề tại quán tạp hóa đầu ngõ."},
	"drugs":             {"Phát hiện vỏ bơm kim tiêm tại khu đất trống gần bờ đê.", "Nghi có nhóm thanh niên sử dụng ma túy đá tại nhà hoang."},
	"domestic_violence": {"Chồng say rượu đánh vợ, hàng xóm phải can ngăn.", "Con trai to tiếng, xô đẩy bố mẹ già vì chuyện tiền bạc."},
	"fire":              {"Chập điện gây cháy bếp, người dân đã dập tắt bằng bình chữa cháy.", "Đốt rơm rạ ngoài đồng làm khói lan vào khu dân cư, lửa cháy lan sang vườn."},
	"loan_shark":        {"Có người dán quảng cáo cho vay tiền nhanh lên cột điện.", "Một hộ bị nhóm đòi nợ thuê đến đe dọa, ném chất bẩn vào nhà."},
	"lost_person":       {"Cụ ông 78 tuổi đi khỏi nhà từ chiều chưa về, mặc áo nâu.", "Cháu bé 9 tuổi đi học về chưa thấy về nhà, gia đình đang tìm."},
	"robbery":           {"Đối tượng đi xe máy giật túi xách của người phụ nữ đi chợ sớm.", "Hai đối tượng chặn đường, dùng dao đe dọa cướp điện thoại."},
	"prostitution":      {"Nghi có hoạt động mua bán dâm tại nhà nghỉ ven đường."},
	"other":             {"Cây đổ chắn ngang đường liên thôn sau cơn dông.", "Chó thả rông cắn một cháu nhỏ, gia đình đã đưa đi tiêm phòng.", "Mất điện cả xóm từ chiều, đã báo điện lực."},
}

var mediationTexts = map[string][]string{
	"neighbour": {"Tranh chấp ranh giới đất giữa hai hộ liền kề, xây tường lấn sang 20 cm.", "Nước thải nhà bên chảy sang sân gây mùi hôi.",
		"Cây nhà bên vươn cành sang mái tôn, lá rụng làm tắc máng nước."},
	bot.CaseCivil:       {"Vay mượn tiền 30 triệu đồng không trả đúng hẹn.", "Mua bán trâu giữa hai hộ, bên mua chưa thanh toán đủ tiền.", "Thuê ruộng cấy lúa, tranh chấp về tiền thuê năm nay."},
	bot.CaseFamily:      {"Vợ chồng mâu thuẫn kéo dài, vợ về nhà mẹ đẻ.", "Anh em tranh chấp chia thừa kế mảnh đất của bố mẹ để lại.", "Con cái không thống nhất việc chăm sóc mẹ già."},
	"minor_violation":   {"Thả trâu bò ăn lúa của hộ khác, hai bên to tiếng.", "Trẻ em nghịch ném đá làm vỡ kính nhà hàng xóm."},
	bot.CaseOther:       {"Mâu thuẫn giữa các hộ về việc đóng góp làm đường bê tông."},
	bot.CaseNotMediable: {"Tranh chấp có dấu hiệu cố ý gây thương tích, chuyển công an xã.", "Vụ việc liên quan đến bạo lực gia đình nghiêm trọng, cần cơ quan chức năng xử lý."},
}

var (
	meetingTexts = []string{"Tổ thống nhất tăng cường tuần tra ban đêm, mỗi tối hai người.", "Các hộ cam kết không đổ rác ra bờ mương.",
		"Phổ biến Luật Phòng, chống bạo lực gia đình và cách báo tin.", "Vận động các hộ lắp camera ở cổng, hướng ra đường.",
		"Thống nhất mức đóng góp quỹ an ninh 50.000 đồng một hộ một năm.", "Nhắc các hộ khai báo tạm trú cho người đến ở.",
		"Ghi nhận ý kiến về đèn đường hỏng ở đầu ngõ, đề nghị xã sửa.", "Tuyên truyền phòng cháy chữa cháy trong mùa khô hanh."}
	meetingTasks = []string{"Ông tổ trưởng lập danh sách tuần tra tháng tới.", "Tổ phó đôn đốc thu quỹ trước ngày 15.", "Báo cáo xã về đèn đường hỏng.", "Mời công an xã dự buổi họp sau."}
	agreements   = []string{"Hai bên thống nhất dỡ phần tường lấn, chi phí chia đôi.", "Bên vay trả dần mỗi tháng 3 triệu đồng.", "Các bên xin lỗi nhau và cam kết không tái diễn.", "Gia đình thống nhất luân phiên chăm sóc mẹ."}
	caseNotes    = []string{"Đã mời hai bên lên nhà văn hóa lần thứ hai.", "Hai bên đã ký biên bản hòa giải thành.", "Một bên không đến, hẹn lại tuần sau.", "Đã báo cáo cán bộ tư pháp xã."}
	additions    = []string{"Bổ sung: đã báo công an xã.", "Đã xác minh lại thời gian.", "Người liên quan đã đến nhận lỗi.", "Sửa lại số người liên quan."}
)
