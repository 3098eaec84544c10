package zalo

// The adapter's own text, in Vietnamese and then English, since it does
// not know the reader's language (a message Zalo withheld says nothing).

// WithheldText answers a message whose content Zalo did not pass on (the
// event message.unsupported.received: its sender belongs to a protected
// group, such as children or people who cannot read).
const WithheldText = "Xin lỗi, Zalo không chuyển nội dung tin nhắn này đến bot nên bot chưa đọc được. " +
	"Bạn có thể nhờ người thân giúp, hoặc liên hệ trực tiếp tổ trưởng hay cán bộ phụ trách.\n" +
	"(Sorry, Zalo did not pass this message on to the bot. Please ask someone to help, " +
	"or contact your group leader or the official in charge directly.)"
