package i18n

var en = map[string]string{
	"help.leader": "You are the leader of %s.\n\n" +
		"/baocao — send a security report\n" +
		"/huy — cancel the report in progress (nothing is kept)\n" +
		"/trogiup — show this help again\n\n" +
		"Answer by tapping a button or typing its number.",
	"help.official": "You are registered as an official of %s.\n\n/trogiup — show this help again",
	"help.admin": "You are an administrator.\n\n" +
		"On the server:\n" +
		"totuquan areas import FILE.csv — import the area tree\n" +
		"totuquan invite -group CODE — create a leader invite\n" +
		"totuquan export -format csv — export the reports\n\n" +
		"/trogiup — show this help again",
	"help.unregistered": "Hello! This bot is for invited leaders of self-management groups.\n\n" +
		"To join, open the invite link your commune or ward official sent you. " +
		"If you have none, please contact the official in charge of your area.",
	"welcome":         "Hello %s! You are now registered as the leader of %s.",
	"join.bad_code":   "This invite code is not valid. Please check the link or ask the official in charge for a new one.",
	"join.expired":    "This invite has expired. Please ask the official in charge for a new one.",
	"join.used_up":    "This invite has been used up. Please ask the official in charge for a new one.",
	"join.already":    "You are already registered as the leader of %s.",
	"join.no_group":   "The group of this invite is no longer in the area list. Please contact the official in charge.",
	"cancel.done":     "Cancelled. Nothing was saved.",
	"cancel.nothing":  "There is no report in progress.",
	"stale":           "This question has passed.",
	"unknown":         "I did not understand. Send /baocao to report or /trogiup for help.",
	"not_leader":      "Only group leaders can send reports.",
	"error.internal":  "Sorry, something went wrong with this message. Please try again in a few minutes.",
	"receipt":         "✅ Report received: %s.\nReference number: %s\nReceived at: %s\n\nPlease quote this number when you talk to officials.",
	"receipt.urgent":  "The report is marked URGENT.",
	"menu.prompt":     "What would you like to report?",
	"kind.incident":   "Security and public order",
	"nav.back":        "Back",
	"nav.skip":        "Skip",
	"nav.cancel":      "Cancel",
	"confirm.prompt":  "Please check the %s report:\n\n%s\n\nSend this report?",
	"confirm.send":    "Send",
	"confirm.edit":    "Change",
	"edit.prompt":     "Which answer would you like to change?",
	"resume.prompt":   "You have an unfinished %s report (started at %s). Continue, or start again?",
	"resume.continue": "Continue",
	"resume.restart":  "Start again",
	"choose.hint":     "Please tap a button below or type its number.",
	"menu.numbers":    "Answer with the number (1, 2, 3…).",
	"current":         "Now: %s",
	"skipped":         "(skipped)",

	"err.date_format":  "That date is not valid. Type day/month, for example 24/11 or 24/11/2026, or choose Today / Yesterday.",
	"err.date_future":  "That date is in the future. Please enter the day it happened.",
	"err.date_old":     "That date is more than a year ago. Please check it.",
	"err.time_format":  "That time is not valid. Type hours:minutes, for example 21:30.",
	"err.time_future":  "That time has not come yet. Please check it.",
	"err.number":       "Please type a number, for example 3.",
	"err.number_range": "The number must be from %d to %d.",
	"err.text_empty":   "The answer cannot be empty.",
	"err.text_short":   "Please write a little more (at least %d characters).",
	"err.text_long":    "The answer is too long: at most %d characters, you typed %d.",
	"err.need_text":    "Please answer in text.",
	"err.no_skip":      "This question is required and cannot be skipped.",

	"date.today":     "Today",
	"date.yesterday": "Yesterday",

	"incident.category.q":    "What kind of incident is it?",
	"incident.date.q":        "On what day did it happen? Choose below or type day/month (for example 24/11).",
	"incident.time.q":        "At about what time? Type hours:minutes (for example 21:30), or tap Skip.",
	"incident.place.q":       "Where did it happen? (for example: lane 3, next to the village hall)",
	"incident.description.q": "What happened? Tell it briefly.",
	"incident.people.q":      "How many people were involved? Type a number, or tap Skip.",
	"incident.handling.q":    "How was it handled?",
	"incident.urgent.q":      "Must the commune police know at once?",

	"incident.category":    "Category",
	"incident.date":        "Date",
	"incident.time":        "Time",
	"incident.place":       "Place",
	"incident.description": "What happened",
	"incident.people":      "People involved",
	"incident.handling":    "Handling",
	"incident.urgent":      "Urgency",

	"cat.theft":             "Theft",
	"cat.robbery":           "Robbery, snatching",
	"cat.fight":             "Fight, public disorder",
	"cat.drugs":             "Drugs",
	"cat.gambling":          "Gambling, betting",
	"cat.prostitution":      "Prostitution",
	"cat.fraud":             "Fraud",
	"cat.loan_shark":        "Loan sharking",
	"cat.fire":              "Fire, explosion",
	"cat.traffic":           "Traffic accident or order",
	"cat.suspicious":        "Strangers, suspicious persons",
	"cat.domestic_violence": "Domestic violence",
	"cat.residence":         "Residence registration",
	"cat.urban_order":       "Noise, rubbish, order",
	"cat.lost_person":       "Lost or vulnerable person",
	"cat.other":             "Other",

	"handling.on_site":  "Handled on the spot",
	"handling.police":   "Reported to the police",
	"handling.referred": "Referred to the authorities",
	"handling.none":     "Not handled yet",

	"urgent.yes": "Urgent",
	"urgent.no":  "Not urgent",
}
