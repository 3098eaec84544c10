package i18n

var vi = map[string]string{
	"help.leader": "Anh/chị là tổ trưởng của %s.\n\n" +
		"/baocao — gửi báo cáo an ninh trật tự\n" +
		"/huy — hủy báo cáo đang làm (không lưu gì)\n" +
		"/trogiup — xem lại hướng dẫn này\n\n" +
		"Khi trả lời, bấm nút hoặc gõ số thứ tự; gõ không dấu cũng được.",
	"help.official": "Anh/chị đã đăng ký là cán bộ của %s.\n\n/trogiup — xem lại hướng dẫn này",
	"help.admin": "Anh/chị là quản trị viên.\n\n" +
		"Trên máy chủ:\n" +
		"totuquan areas import FILE.csv — nhập cây địa bàn\n" +
		"totuquan invite -group MÃ — tạo mã mời tổ trưởng\n" +
		"totuquan export -format csv — xuất báo cáo\n\n" +
		"/trogiup — xem lại hướng dẫn này",
	"help.unregistered": "Xin chào! Bot này dành cho tổ trưởng các tổ tự quản đã được mời.\n\n" +
		"Để tham gia, hãy mở đường link mời do cán bộ xã/phường gửi cho anh/chị. " +
		"Nếu chưa có link, vui lòng liên hệ cán bộ phụ trách địa bàn.",
	"welcome":         "Chào %s! Anh/chị đã được đăng ký là tổ trưởng của %s.",
	"join.bad_code":   "Mã mời không đúng. Vui lòng kiểm tra lại đường link hoặc xin mã mới từ cán bộ phụ trách.",
	"join.expired":    "Mã mời này đã hết hạn. Vui lòng xin mã mới từ cán bộ phụ trách.",
	"join.used_up":    "Mã mời này đã được dùng hết. Vui lòng xin mã mới từ cán bộ phụ trách.",
	"join.already":    "Anh/chị đã đăng ký là tổ trưởng của %s rồi.",
	"join.no_group":   "Tổ của mã mời này không còn trong danh sách địa bàn. Vui lòng liên hệ cán bộ phụ trách.",
	"cancel.done":     "Đã hủy. Không có gì được lưu.",
	"cancel.nothing":  "Không có báo cáo nào đang làm.",
	"stale":           "Câu hỏi này đã qua.",
	"unknown":         "Tôi chưa hiểu. Gõ /baocao để gửi báo cáo hoặc /trogiup để xem hướng dẫn.",
	"not_leader":      "Chỉ tổ trưởng mới gửi được báo cáo.",
	"error.internal":  "Xin lỗi, có lỗi khi xử lý tin nhắn này. Vui lòng thử lại sau ít phút.",
	"receipt":         "✅ Đã nhận báo cáo %s.\nSố tham chiếu: %s\nThời gian nhận: %s\n\nVui lòng ghi lại số này khi trao đổi với cán bộ.",
	"receipt.urgent":  "Báo cáo đã được đánh dấu KHẨN CẤP.",
	"menu.prompt":     "Anh/chị muốn báo cáo gì?",
	"kind.incident":   "An ninh trật tự",
	"nav.back":        "Quay lại",
	"nav.skip":        "Bỏ qua",
	"nav.cancel":      "Hủy",
	"confirm.prompt":  "Kiểm tra lại báo cáo %s:\n\n%s\n\nGửi báo cáo này?",
	"confirm.send":    "Gửi",
	"confirm.edit":    "Sửa",
	"edit.prompt":     "Anh/chị muốn sửa mục nào?",
	"resume.prompt":   "Anh/chị có báo cáo %s đang làm dở (bắt đầu lúc %s). Tiếp tục hay làm lại từ đầu?",
	"resume.continue": "Tiếp tục",
	"resume.restart":  "Làm lại",
	"choose.hint":     "Vui lòng bấm một nút bên dưới hoặc gõ số thứ tự.",
	"menu.numbers":    "Trả lời bằng số thứ tự (1, 2, 3…).",
	"current":         "Hiện tại: %s",
	"skipped":         "(bỏ qua)",

	"err.date_format":  "Ngày chưa đúng. Gõ theo dạng ngày/tháng, ví dụ 24/11 hoặc 24/11/2026, hoặc chọn Hôm nay / Hôm qua.",
	"err.date_future":  "Ngày này chưa tới. Vui lòng nhập ngày vụ việc đã xảy ra.",
	"err.date_old":     "Ngày này đã quá một năm. Vui lòng kiểm tra lại.",
	"err.time_format":  "Giờ chưa đúng. Gõ dạng giờ:phút, ví dụ 21:30 hoặc 21h30.",
	"err.time_future":  "Giờ này chưa tới. Vui lòng kiểm tra lại.",
	"err.number":       "Vui lòng gõ một số, ví dụ 3.",
	"err.number_range": "Số phải từ %d đến %d.",
	"err.text_empty":   "Câu trả lời không được để trống.",
	"err.text_short":   "Vui lòng viết rõ hơn (ít nhất %d ký tự).",
	"err.text_long":    "Câu trả lời quá dài: tối đa %d ký tự, anh/chị đã gõ %d.",
	"err.need_text":    "Vui lòng trả lời bằng chữ.",
	"err.no_skip":      "Câu này bắt buộc, không bỏ qua được.",

	"date.today":     "Hôm nay",
	"date.yesterday": "Hôm qua",

	"incident.category.q":    "Loại vụ việc là gì?",
	"incident.date.q":        "Vụ việc xảy ra ngày nào? Chọn bên dưới hoặc gõ ngày/tháng (ví dụ 24/11).",
	"incident.time.q":        "Vào khoảng mấy giờ? Gõ giờ:phút (ví dụ 21:30), hoặc bấm Bỏ qua.",
	"incident.place.q":       "Xảy ra ở đâu? (ví dụ: ngõ 3, cạnh nhà văn hóa xóm)",
	"incident.description.q": "Chuyện gì đã xảy ra? Kể ngắn gọn.",
	"incident.people.q":      "Có bao nhiêu người liên quan? Gõ số, hoặc bấm Bỏ qua.",
	"incident.handling.q":    "Đã xử lý thế nào?",
	"incident.urgent.q":      "Có cần công an xã/phường biết ngay không?",

	"incident.category":    "Loại vụ việc",
	"incident.date":        "Ngày",
	"incident.time":        "Giờ",
	"incident.place":       "Nơi xảy ra",
	"incident.description": "Nội dung",
	"incident.people":      "Số người liên quan",
	"incident.handling":    "Cách xử lý",
	"incident.urgent":      "Mức độ",

	"cat.theft":             "Trộm cắp tài sản",
	"cat.robbery":           "Cướp, cướp giật",
	"cat.fight":             "Đánh nhau, gây rối",
	"cat.drugs":             "Ma túy",
	"cat.gambling":          "Đánh bạc, cá độ",
	"cat.prostitution":      "Mại dâm",
	"cat.fraud":             "Lừa đảo",
	"cat.loan_shark":        "Tín dụng đen",
	"cat.fire":              "Cháy, nổ",
	"cat.traffic":           "Tai nạn, trật tự giao thông",
	"cat.suspicious":        "Người lạ, khả nghi",
	"cat.domestic_violence": "Bạo lực gia đình",
	"cat.residence":         "Cư trú (tạm trú, tạm vắng)",
	"cat.urban_order":       "Trật tự, môi trường",
	"cat.lost_person":       "Người đi lạc, cần giúp",
	"cat.other":             "Khác",

	"handling.on_site":  "Đã xử lý tại chỗ",
	"handling.police":   "Đã báo công an",
	"handling.referred": "Chuyển cơ quan chức năng",
	"handling.none":     "Chưa xử lý",

	"urgent.yes": "Khẩn cấp",
	"urgent.no":  "Không khẩn cấp",
}
